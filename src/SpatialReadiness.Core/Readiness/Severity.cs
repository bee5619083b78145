namespace SpatialReadiness.Core.Readiness;

/// <summary>
/// How much a finding weighs. A gate zeroes the layer; an error costs credit under its rule; a warning is reported but
/// not scored; info records a decision the check made (an exclusion zone) so a person can review it.
/// </summary>
public enum Severity
{
    Gate,
    Error,
    Warning,
    Info,
}

public static class Severities
{
    public static string ToName(this Severity severity) => severity.ToString().ToLowerInvariant();

    public static bool TryParse(string? text, out Severity severity)
    {
        severity = Severity.Error;
        return text is not null && !int.TryParse(text, out _) && Enum.TryParse(text, ignoreCase: true, out severity) && Enum.IsDefined(severity);
    }
}
