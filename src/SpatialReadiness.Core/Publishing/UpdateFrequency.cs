using SpatialReadiness.Core.Ingest;

namespace SpatialReadiness.Core.Publishing;

/// <summary>How often a layer's custodian promises to publish a new version of it (DMAF 4.c, "a schedule for updating").</summary>
public enum UpdateFrequency
{
    Daily,
    Weekly,
    Monthly,
    Quarterly,
    /// <summary>Twice a year (EU frequency ANNUAL_2), not every two years.</summary>
    Biannual,
    Annual,
    /// <summary>Updated when something changes: declared, but with no due date.</summary>
    Irregular,
}

public static class UpdateFrequencies
{
    public static string ToName(this UpdateFrequency frequency) => frequency.ToString().ToLowerInvariant();

    public static string Names => string.Join(", ", Enum.GetValues<UpdateFrequency>().Select(ToName));

    public static bool TryParse(string? text, out UpdateFrequency frequency)
    {
        frequency = UpdateFrequency.Irregular;
        return text is not null && !int.TryParse(text, out _) && Enum.TryParse(text.Trim(), ignoreCase: true, out frequency) && Enum.IsDefined(frequency);
    }

    /// <summary>The frequency's name from user input (null when not given), or a 400 naming the choices.</summary>
    public static string? Normalise(string? text, string field) =>
        string.IsNullOrWhiteSpace(text) ? null
        : TryParse(text, out var frequency) ? frequency.ToName()
        : throw new InputException(InputError.Malformed, $"{field} '{text}' is not an update frequency; use one of {Names}.");

    /// <summary>The EU Publications Office frequency vocabulary's URI (what DCAT-AP's dct:accrualPeriodicity takes).</summary>
    public static string EuUri(this UpdateFrequency frequency) => "http://publications.europa.eu/resource/authority/frequency/" + frequency switch
    {
        UpdateFrequency.Daily => "DAILY",
        UpdateFrequency.Weekly => "WEEKLY",
        UpdateFrequency.Monthly => "MONTHLY",
        UpdateFrequency.Quarterly => "QUARTERLY",
        UpdateFrequency.Biannual => "ANNUAL_2",
        UpdateFrequency.Annual => "ANNUAL",
        _ => "IRREG",
    };

    /// <summary>When the next version is due after one published at <paramref name="last"/>; null for irregular.</summary>
    public static DateTimeOffset? NextDue(this UpdateFrequency frequency, DateTimeOffset last) => frequency switch
    {
        UpdateFrequency.Daily => last.AddDays(1),
        UpdateFrequency.Weekly => last.AddDays(7),
        UpdateFrequency.Monthly => last.AddMonths(1),
        UpdateFrequency.Quarterly => last.AddMonths(3),
        UpdateFrequency.Biannual => last.AddMonths(6),
        UpdateFrequency.Annual => last.AddYears(1),
        _ => null,
    };
}
