namespace SpatialReadiness.Server.Tiles;

/// <summary>
/// TileJSON's field types ("Number", "String", "Boolean": the words GDAL's MVT driver reads to type its columns) from
/// the JSON types of a layer's values (FeatureReader.FieldTypesAsync). Kept on its own so that one shared field-type
/// inference (OData, OGC queryables, TileJSON) can replace the input without touching the tile code.
/// </summary>
public static class TileFieldTypes
{
    public static string Of(string? jsonType) => jsonType switch
    {
        "number" or "integer" => "Number",
        "boolean" => "Boolean",
        _ => "String", // strings, and fields with no value to judge by: MVT readers take unknown values as text
    };

    public static Dictionary<string, string> For(IReadOnlyList<string> fields, IReadOnlyDictionary<string, string> jsonTypes) =>
        fields.ToDictionary(f => f, f => Of(jsonTypes.GetValueOrDefault(f)), StringComparer.Ordinal);
}
