using System.Text.Json;
using NetTopologySuite.Geometries;

namespace SpatialReadiness.Cli.Demo;

/// <summary>Writes demo features as a GeoJSON FeatureCollection with 6-decimal coordinates (about 0.1 m), streamed one feature at a time.</summary>
internal static class DemoGeoJson
{
    public static void Write(string path, IEnumerable<(Geometry Geometry, (string Name, object? Value)[] Properties)> features)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        json.WriteStartObject();
        json.WriteString("type", "FeatureCollection");
        json.WriteStartArray("features");
        foreach (var (geometry, properties) in features)
        {
            json.WriteStartObject();
            json.WriteString("type", "Feature");
            json.WriteStartObject("properties");
            foreach (var (name, value) in properties)
                switch (value)
                {
                    case null: json.WriteNull(name); break;
                    case int number: json.WriteNumber(name, number); break;
                    default: json.WriteString(name, value.ToString()); break;
                }
            json.WriteEndObject();
            json.WritePropertyName("geometry");
            WriteGeometry(json, geometry);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteGeometry(Utf8JsonWriter json, Geometry geometry)
    {
        json.WriteStartObject();
        json.WriteString("type", geometry.GeometryType);
        json.WriteStartArray("coordinates");
        switch (geometry)
        {
            case Polygon polygon: WritePolygon(json, polygon); break;
            case MultiPolygon multi:
                foreach (var part in multi.Geometries.Cast<Polygon>())
                {
                    json.WriteStartArray();
                    WritePolygon(json, part);
                    json.WriteEndArray();
                }
                break;
            default: throw new ArgumentException($"the demo writes polygons only, not {geometry.GeometryType}");
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WritePolygon(Utf8JsonWriter json, Polygon polygon)
    {
        foreach (var ring in new[] { polygon.ExteriorRing }.Concat(polygon.InteriorRings))
        {
            json.WriteStartArray();
            foreach (var c in ring.Coordinates)
            {
                json.WriteStartArray();
                json.WriteRawValue(Math.Round(c.X, 6).ToString("0.######", System.Globalization.CultureInfo.InvariantCulture));
                json.WriteRawValue(Math.Round(c.Y, 6).ToString("0.######", System.Globalization.CultureInfo.InvariantCulture));
                json.WriteEndArray();
            }
            json.WriteEndArray();
        }
    }
}
