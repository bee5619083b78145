namespace SpatialReadiness.Core.Layers;

/// <summary>
/// The type of a layer's field as its stored values show it (PostGis/Layers/LayerFieldTypes infers it). OData,
/// OGC API queryables and TileJSON all describe a field with this one type, each in its own words.
/// </summary>
public enum FieldType { Text, Integer, Number, Boolean }

public static class FieldTypeNames
{
    /// <summary>JSON Schema's name (OGC API queryables): "string", "integer", "number", "boolean".</summary>
    public static string JsonSchema(this FieldType type) => type switch
    {
        FieldType.Integer => "integer",
        FieldType.Number => "number",
        FieldType.Boolean => "boolean",
        _ => "string",
    };

    /// <summary>TileJSON's vector_layers fields (what GDAL's MVT driver reads): "Number", "String", "Boolean".</summary>
    public static string TileJson(this FieldType type) => type switch
    {
        FieldType.Integer or FieldType.Number => "Number",
        FieldType.Boolean => "Boolean",
        _ => "String",
    };
}
