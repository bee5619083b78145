using System.Buffers;
using System.Globalization;
using System.Text.Json;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.PostGis.Features;

namespace SpatialReadiness.Server.OData;

/// <summary>
/// Writes the members of one entity into an object the caller has opened: a collection's element, or the response
/// object itself for a single entity (whose members sit beside "@odata.context"). With <paramref name="validate"/>
/// (tests run with SR_ODATA_VALIDATE=true) the JSON writer checks every object and name; without it, an open entity's
/// stored attributes are spliced in as they are, because parsing them per row is most of what a feed of a million
/// rows costs.
/// </summary>
public sealed class ODataEntityWriter(Utf8JsonWriter json, bool validate, IReadOnlySet<string>? select)
{
    private bool Wanted(string name) => select is null || select.Contains(name);

    // Asked once per response, not once per row (a feed of a million rows looked each name up a million times).
    private readonly bool _wkt = select is null || select.Contains("Wkt"), _geoJson = select is null || select.Contains("GeoJson"),
        _measures = select is null || ODataModel.MeasureProperties.Any(select.Contains);

    // Names written per row, encoded once (a string name is transcoded and checked for escaping each time it is written).
    private static readonly JsonEncodedText IdName = JsonEncodedText.Encode("Id"), CityName = JsonEncodedText.Encode("City"),
        LayerName = JsonEncodedText.Encode("Layer"), LayerIdName = JsonEncodedText.Encode("LayerId"), KindName = JsonEncodedText.Encode("Kind"),
        WktName = JsonEncodedText.Encode("Wkt"), GeoJsonName = JsonEncodedText.Encode("GeoJson");

    /// <summary>A Features entity: its open properties are the members of the object PostGIS wrote (already only the chosen ones).</summary>
    public void OpenFeature(FeatureRow row, LayerInfo layer)
    {
        json.WriteNumber(IdName, row.Id);
        if (Wanted("City")) json.WriteString(CityName, layer.City);
        if (Wanted("Layer")) json.WriteString(LayerName, layer.Name);
        if (Wanted("LayerId")) json.WriteNumber(LayerIdName, layer.Id);
        if (Wanted("Kind")) json.WriteString(KindName, layer.Kind);
        if (validate)
        {
            using var properties = JsonDocument.Parse(row.PropertiesJson);
            foreach (var property in properties.RootElement.EnumerateObject()) property.WriteTo(json);
        }
        // With validation off, a raw "value" inside an object is written after a comma: `"a":1,"b":2` lands as members.
        else if (row.PropertiesJson.Length > 2) json.WriteRawValue(row.PropertiesJson.AsSpan(1, row.PropertiesJson.Length - 2), skipInputValidation: true);
        GeometryAndMeasures(row);
    }

    /// <summary>An entity of a typed set: Wards, Slums, Assets (<paramref name="layer"/> gives City, Layer, LayerId) or a layer's own set (null).</summary>
    public void TypedFeature(FeatureRow row, LayerInfo? layer, IReadOnlyList<TypedField> fields)
    {
        json.WriteNumber(IdName, row.Id);
        if (layer is not null)
        {
            if (Wanted("City")) json.WriteString(CityName, layer.City);
            if (Wanted("Layer")) json.WriteString(LayerName, layer.Name);
            if (Wanted("LayerId")) json.WriteNumber(LayerIdName, layer.Id);
        }
        using (var properties = JsonDocument.Parse(row.PropertiesJson))
            foreach (var field in fields)
                if (Wanted(field.Name))
                {
                    json.WritePropertyName(field.Name);
                    Value(json, field.Type, properties.RootElement.TryGetProperty(field.Name, out var value) ? value : default);
                }
        GeometryAndMeasures(row);
    }

    /// <summary>A record (Cities, Layers, Findings, ReadinessScores): the columns of the row PostgreSQL wrote as JSON.</summary>
    public void Record(string rowJson)
    {
        using var document = JsonDocument.Parse(rowJson);
        foreach (var property in document.RootElement.EnumerateObject())
            if (Wanted(property.Name)) property.WriteTo(json);
    }

    /// <summary>
    /// A value as its declared type: an Integer field holding "12" is 12 and holding "n/a" null, a Number likewise, a
    /// Boolean true/false or null, and Text the value's text (a number 12 is "12").
    /// </summary>
    public static void Value(Utf8JsonWriter json, FieldType type, JsonElement value)
    {
        if (value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) { json.WriteNullValue(); return; }
        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        switch (type)
        {
            case FieldType.Integer when value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number):
                json.WriteNumberValue(number);
                break;
            case FieldType.Integer when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed):
                json.WriteNumberValue(parsed);
                break;
            case FieldType.Integer when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && real == Math.Floor(real) && Math.Abs(real) < 9e15:
                json.WriteNumberValue((long)real);
                break;
            case FieldType.Number when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real):
                json.WriteNumberValue(real);
                break;
            case FieldType.Boolean when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                json.WriteBooleanValue(value.GetBoolean());
                break;
            case FieldType.Text:
                json.WriteStringValue(text);
                break;
            default:
                json.WriteNullValue();
                break;
        }
    }

    private static readonly string[] BboxColumns = ["MinLon", "MinLat", "MaxLon", "MaxLat"];

    /// <summary>Geometry as WKT and GeoJSON text, centroid, area, bbox and Location: each when selected.</summary>
    private void GeometryAndMeasures(FeatureRow row)
    {
        if (_wkt) Text(WktName, row.Wkt);
        if (_geoJson) Text(GeoJsonName, row.GeoJson);
        if (!_measures) return;
        Number("CentroidLon", row.CentroidLon);
        Number("CentroidLat", row.CentroidLat);
        Number("AreaM2", row.AreaM2 is { } area ? Math.Round(area, 2) : null);
        for (var i = 0; i < 4; i++) Number(BboxColumns[i], row.Bbox?[i]);
        if (!Wanted(ODataModel.LocationProperty)) return;
        json.WritePropertyName(ODataModel.LocationProperty);
        if (row.CentroidLon is { } lon && row.CentroidLat is { } lat)
        {
            json.WriteStartObject();
            json.WriteString("type", "Point");
            json.WriteStartArray("coordinates");
            json.WriteNumberValue(lon);
            json.WriteNumberValue(lat);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        else json.WriteNullValue();
    }

    private void Text(JsonEncodedText name, byte[]? text)
    {
        if (text is null) json.WriteNull(name);
        else if (!TryWritePrintableAscii(name, text)) json.WriteString(name, text);
    }

    /// <summary>
    /// Geometry text from PostGIS (GeoJSON, WKT) is printable ASCII whose only characters to escape are its quotes:
    /// written here as the JSON string's bytes with \" for each quote. Utf8JsonWriter escapes a string that needs any
    /// escaping one character at a time, a fifth of the server's time in a feed of polygons (perf). False, writing
    /// nothing, for any other text.
    /// </summary>
    private bool TryWritePrintableAscii(JsonEncodedText name, ReadOnlySpan<byte> text)
    {
        if (text.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) >= 0) return false;
        var length = text.Length + text.Count((byte)'"') + text.Count((byte)'\\') + 2;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = 0;
            buffer[written++] = (byte)'"';
            while (true)
            {
                var next = text.IndexOfAny((byte)'"', (byte)'\\');
                var plain = next < 0 ? text : text[..next];
                plain.CopyTo(buffer.AsSpan(written));
                written += plain.Length;
                if (next < 0) break;
                buffer[written++] = (byte)'\\';
                buffer[written++] = text[next];
                text = text[(next + 1)..];
            }
            buffer[written++] = (byte)'"';
            json.WritePropertyName(name);
            json.WriteRawValue(buffer.AsSpan(0, written), skipInputValidation: true);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Number(string name, double? value)
    {
        if (!Wanted(name)) return;
        if (value is null) json.WriteNull(name);
        else json.WriteNumber(name, value.Value);
    }

    public static GeometryOutput GeometryWanted(IReadOnlySet<string>? select)
    {
        bool Wanted(string name) => select is null || select.Contains(name);
        var output = GeometryOutput.None;
        if (Wanted("GeoJson")) output |= GeometryOutput.GeoJson;
        if (Wanted("Wkt")) output |= GeometryOutput.Wkt;
        if (ODataModel.MeasureProperties.Any(Wanted)) output |= GeometryOutput.Measures;
        return output;
    }
}
