using System.Text.RegularExpressions;

namespace SpatialReadiness.Core.Layers;

/// <summary>City ids and layer names appear in URLs: lower-case letters, digits, '-' (and '_' for layers).</summary>
public static partial class Names
{
    public static bool IsCityId(string? id) => id is not null && CityId().IsMatch(id);

    public static bool IsLayerName(string? name) => name is not null && LayerName().IsMatch(name);

    /// <summary>A layer name made from a file name: "Jaipur_Wards-SHP.zip" -> "jaipur_wards-shp".</summary>
    public static string LayerNameFromFile(string fileName)
    {
        var stem = Path.GetFileNameWithoutExtension(fileName).ToLowerInvariant();
        var cleaned = NotAllowed().Replace(stem, "_").Trim('_', '-');
        if (cleaned.Length == 0) cleaned = "layer";
        return cleaned.Length > 63 ? cleaned[..63] : cleaned;
    }

    /// <summary>A comma-separated list of field names ("head_name, phone"), trimmed, without blanks or repeats.</summary>
    public static IReadOnlyList<string> FieldList(string? text) =>
        string.IsNullOrWhiteSpace(text) ? [] : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex CityId();

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    private static partial Regex LayerName();

    [GeneratedRegex("[^a-z0-9_-]+")]
    private static partial Regex NotAllowed();
}
