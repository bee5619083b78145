using System.Globalization;
using System.Text.Json;
using NetTopologySuite.Geometries;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Ingest.Crs;
using SpatialReadiness.Ingest.Formats;

namespace SpatialReadiness.Ingest;

/// <summary>
/// One feature a client writes (OGC API - Features Part 4), read with the import's own GeoJSON parser and CRS
/// handling, then held to the import's rules plus one more: the geometry must lie in India, since a single write has no
/// "most features" to weigh against. <see cref="Geometry"/> is in EPSG:4326 lon/lat.
/// </summary>
/// <param name="PropertiesJson">The properties object as JSON text ("{}" when absent).</param>
/// <param name="NullProperties">Members whose value is null: in a merge patch, the attributes to remove.</param>
public sealed record FeatureInput(string PropertiesJson, IReadOnlyList<string> NullProperties, Geometry? Geometry)
{
    /// <summary>A request body as JSON, or a Malformed input error saying why it is not.</summary>
    public static JsonElement ParseBody(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            CheckText(document.RootElement);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InputException(InputError.Malformed, $"the body is not JSON: {e.Message}");
        }
    }

    /// <summary>
    /// Every name and text value must be text PostgreSQL can store: JSON lets "\ud800" (half of a UTF-16 pair) and
    /// "\u0000" be written, and neither can be stored (nor read back as a .NET string, for the first).
    /// </summary>
    private static void CheckText(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Text(() => property.Name);
                    CheckText(property.Value);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray()) CheckText(item);
                break;
            case JsonValueKind.String:
                Text(element.GetString);
                break;
        }

        static void Text(Func<string?> read)
        {
            string? text;
            try { text = read(); }
            catch (InvalidOperationException) { throw new InputException(InputError.Malformed, "the body holds text with an unpaired UTF-16 surrogate (e.g. \\ud800 alone), which is not text."); }
            if (text is not null && text.Contains('\0')) throw new InputException(InputError.Malformed, "the body holds text with the NUL character (\\u0000), which cannot be stored.");
        }
    }

    /// <summary>
    /// Reads a GeoJSON Feature. With <paramref name="partial"/> (a merge patch) properties and geometry may each be
    /// absent; otherwise the geometry is required. Coordinates are in EPSG <paramref name="epsg"/>, swapped first when
    /// <paramref name="latitudeFirst"/> (EPSG:4326's own axis order).
    /// </summary>
    public static FeatureInput Read(byte[] body, int epsg, bool latitudeFirst, long maxVertices, bool partial = false)
    {
        var root = ParseBody(body);
        if (root.ValueKind != JsonValueKind.Object)
            throw new InputException(InputError.Malformed, "the body must be a GeoJSON Feature object: {\"type\": \"Feature\", \"geometry\": {...}, \"properties\": {...}}.");
        if (root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() != "Feature")
            throw new InputException(InputError.Unprocessable, $"the body is a GeoJSON {type.GetString()}; send one Feature per request.");
        if (!partial && !root.TryGetProperty("type", out _))
            throw new InputException(InputError.Malformed, "the body needs \"type\": \"Feature\".");

        var nulls = new List<string>();
        var properties = "{}";
        if (root.TryGetProperty("properties", out var props))
        {
            if (props.ValueKind == JsonValueKind.Object)
            {
                properties = props.GetRawText();
                nulls.AddRange(props.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Null).Select(p => p.Name));
            }
            else if (props.ValueKind != JsonValueKind.Null)
                throw new InputException(InputError.Unprocessable, $"\"properties\" must be a JSON object of field names and values, not {Describe(props.ValueKind)}.");
        }

        Geometry? geometry = null;
        var hasGeometry = root.TryGetProperty("geometry", out var geometryJson) && geometryJson.ValueKind != JsonValueKind.Null;
        if (hasGeometry)
        {
            if (geometryJson.ValueKind != JsonValueKind.Object)
                throw new InputException(InputError.Unprocessable, $"\"geometry\" must be a GeoJSON geometry object, not {Describe(geometryJson.ValueKind)}.");
            geometry = ParseGeometry(geometryJson);
        }
        else if (!partial)
            throw new InputException(InputError.Unprocessable, "the feature has no geometry; every feature written here needs one (a Point, LineString, Polygon or Multi...).");

        if (geometry is not null) geometry = Validate(geometry, epsg, latitudeFirst, maxVertices);
        return new FeatureInput(properties, nulls, geometry);
    }

    private static Geometry ParseGeometry(JsonElement geometryJson)
    {
        var wrapped = System.Text.Encoding.UTF8.GetBytes("{\"type\":\"Feature\",\"geometry\":" + geometryJson.GetRawText() + "}");
        var reader = new Utf8JsonReader(wrapped);
        reader.Read();
        if (!GeoJsonFeatureParser.TryParse(ref reader, wrapped, 1, out var parsed) || parsed?.Geometry is null)
            throw new InputException(InputError.Unprocessable, "the geometry could not be read as GeoJSON" + (parsed?.GeometryNote is { } why ? $": {why}." : "."));
        if (parsed.GeometryNote is not null)
            throw new InputException(InputError.Unprocessable, $"the geometry is not storable as written ({parsed.GeometryNote}); send it corrected.");
        return parsed.Geometry;
    }

    private static Geometry Validate(Geometry geometry, int epsg, bool latitudeFirst, long maxVertices)
    {
        if (geometry.IsEmpty) throw new InputException(InputError.Unprocessable, "the geometry is empty; a feature written here needs coordinates.");
        if (geometry.NumPoints > maxVertices)
            throw new InputException(InputError.Unprocessable,
                string.Create(CultureInfo.InvariantCulture, $"the geometry has {geometry.NumPoints:N0} vertices, more than the {maxVertices:N0} allowed per feature (SR_MAX_VERTICES); simplify it first."));
        var crs = CrsRegistry.FromEpsg(epsg);
        var lonLat = new ToWgs84(new Reprojection(crs), latitudeFirst).Apply(geometry, 1);
        foreach (var c in lonLat.Coordinates)
        {
            if (IndiaExtent.Contains(c.X, c.Y)) continue;
            var (x, y) = latitudeFirst ? (c.Y, c.X) : (c.X, c.Y);
            throw new InputException(InputError.Unprocessable,
                $"the geometry reaches {CrsHints.Format(c.X, c.Y)}, outside India ({IndiaExtent.MinLon}–{IndiaExtent.MaxLon} E, {IndiaExtent.MinLat}–{IndiaExtent.MaxLat} N), so nothing was written. " +
                CrsHints.Suggest(x, y, crs).Replace("re-import with --swap-xy (HTTP: swapXY=true)", "send longitude first (GeoJSON and CRS84 order), or declare Content-Crs: <http://www.opengis.net/def/crs/EPSG/0/4326> for latitude first"));
        }
        return lonLat;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
