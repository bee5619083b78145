using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.Server.Uploads;

/// <summary>An upload's form fields as the inputs of an <see cref="ImportDescription"/>: named as it names them; a switch is "true", "1" or "on".</summary>
public sealed class FormImportInputs(IReadOnlyDictionary<string, string> fields) : IImportInputs
{
    public string? Text(string name) => fields.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    public bool Switch(string name) => Text(name) is { } value
        && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("on", StringComparison.OrdinalIgnoreCase));

    public string Spelled(string name) => name;
}
