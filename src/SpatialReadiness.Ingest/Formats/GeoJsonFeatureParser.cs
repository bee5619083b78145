using System.Text;
using System.Text.Json;
using NetTopologySuite.Geometries;
using SpatialReadiness.Core.Ingest;

namespace SpatialReadiness.Ingest.Formats;

/// <summary>
/// Parses one GeoJSON Feature straight from the token stream: properties are kept as their raw JSON text (decoded
/// strictly as UTF-8), the geometry is built directly as NetTopologySuite objects. One pass, no intermediate document,
/// which is what makes large files fast. Returns false when the buffer ends inside the feature (the caller refills).
/// </summary>
internal static class GeoJsonFeatureParser
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);
    private static readonly GeometryFactory Factory = new();

    /// <param name="GeometryNote">What was wrong with the geometry as written (see <see cref="GeometryRepair"/>), or null.</param>
    public sealed record Parsed(string? Type, string? Id, string? PropertiesJson, IReadOnlyList<string> PropertyNames, Geometry? Geometry, string? GeometryNote = null);

    /// <summary>Reader positioned on the feature's StartObject; <paramref name="data"/> is the span the reader reads.</summary>
    public static bool TryParse(ref Utf8JsonReader reader, ReadOnlySpan<byte> data, long ordinal, out Parsed? feature)
    {
        feature = null;
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new InputException(InputError.Malformed, $"feature {ordinal} is not a JSON object.");
        string? type = null, id = null, properties = null;
        List<string> names = [];
        Geometry? geometry = null;
        var repair = new GeometryRepair(Factory);
        while (true)
        {
            if (!reader.Read()) return false;
            if (reader.TokenType == JsonTokenType.EndObject) break;
            var member = reader.GetString();
            if (!reader.Read()) return false;
            switch (member)
            {
                case "type":
                    type = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    break;
                case "id":
                    id = reader.TokenType switch
                    {
                        JsonTokenType.String => reader.GetString(),
                        JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
                        _ => null,
                    };
                    break;
                case "properties" when reader.TokenType == JsonTokenType.StartObject:
                    if (!TryReadProperties(ref reader, data, ordinal, names, out properties)) return false;
                    break;
                case "geometry" when reader.TokenType == JsonTokenType.StartObject:
                    if (!TryReadGeometry(ref reader, ordinal, repair, out geometry)) return false;
                    break;
                default:
                    if (!reader.TrySkip()) return false;
                    break;
            }
        }
        geometry = repair.Finish(geometry);
        feature = new Parsed(type, id, properties, names, geometry, repair.Note);
        return true;
    }

    private static bool TryReadProperties(ref Utf8JsonReader reader, ReadOnlySpan<byte> data, long ordinal, List<string> names, out string? json)
    {
        json = null;
        var start = reader.TokenStartIndex;
        var depth = reader.CurrentDepth;
        while (true)
        {
            if (!reader.Read()) return false;
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == depth + 1) names.Add(reader.GetString()!);
            else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !reader.TrySkip()) return false;
            else if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth) break;
        }
        try
        {
            json = StrictUtf8.GetString(data[(int)start..(int)reader.BytesConsumed]);
        }
        catch (DecoderFallbackException)
        {
            throw new InputException(InputError.Malformed,
                $"feature {ordinal}: text is not valid UTF-8. GeoJSON must be UTF-8 (RFC 7946); re-save the file as UTF-8.");
        }
        return true;
    }

    private static bool TryReadGeometry(ref Utf8JsonReader reader, long ordinal, GeometryRepair repair, out Geometry? geometry)
    {
        geometry = null;
        string? type = null;
        Node? coordinates = null;
        List<Geometry>? members = null;
        while (true)
        {
            if (!reader.Read()) return false;
            if (reader.TokenType == JsonTokenType.EndObject) break;
            var member = reader.GetString();
            if (!reader.Read()) return false;
            switch (member)
            {
                case "type":
                    type = reader.GetString();
                    break;
                case "coordinates" when reader.TokenType == JsonTokenType.StartArray:
                    if (!TryReadNode(ref reader, ordinal, out coordinates)) return false;
                    break;
                case "geometries" when reader.TokenType == JsonTokenType.StartArray:
                    members = [];
                    while (true)
                    {
                        if (!reader.Read()) return false;
                        if (reader.TokenType == JsonTokenType.EndArray) break;
                        if (!TryReadGeometry(ref reader, ordinal, repair, out var part)) return false;
                        if (part is not null) members.Add(part);
                    }
                    break;
                default:
                    if (!reader.TrySkip()) return false;
                    break;
            }
        }
        geometry = Build(type, coordinates, members, ordinal, repair);
        return true;
    }

    /// <summary>A coordinates array: a position (leaf) or a list of nested arrays.</summary>
    private sealed class Node
    {
        public Coordinate? Position;
        public List<Node>? Children;
    }

    private static bool TryReadNode(ref Utf8JsonReader reader, long ordinal, out Node? node)
    {
        node = null;
        if (!reader.Read()) return false;
        if (reader.TokenType == JsonTokenType.Number)
        {
            var x = reader.GetDouble();
            if (!reader.Read()) return false;
            if (reader.TokenType != JsonTokenType.Number)
                throw new InputException(InputError.Malformed, $"feature {ordinal}: a position needs at least two numbers.");
            var y = reader.GetDouble();
            while (true)
            {
                if (!reader.Read()) return false;
                if (reader.TokenType == JsonTokenType.EndArray) break; // Z and M are dropped
            }
            node = new Node { Position = new Coordinate(x, y) };
            return true;
        }
        var children = new List<Node>();
        while (reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
                throw new InputException(InputError.Malformed, $"feature {ordinal}: 'coordinates' must hold nested arrays of numbers.");
            if (!TryReadNode(ref reader, ordinal, out var child)) return false;
            children.Add(child!);
            if (!reader.Read()) return false;
        }
        node = new Node { Children = children };
        return true;
    }

    private static Geometry? Build(string? type, Node? c, List<Geometry>? members, long ordinal, GeometryRepair repair)
    {
        try
        {
            return type switch
            {
                "Point" => Factory.CreatePoint(Position(c)),
                "MultiPoint" => Factory.CreateMultiPoint(Children(c).Select(p => Factory.CreatePoint(Position(p))).ToArray()),
                "LineString" => repair.Line(Positions(c)),
                "MultiLineString" => Factory.CreateMultiLineString(Children(c).Select(l => repair.Line(Positions(l))).OfType<LineString>().ToArray()),
                "Polygon" => repair.Polygon(Children(c).Select(Positions).ToList()),
                "MultiPolygon" => Factory.CreateMultiPolygon(Children(c).Select(p => repair.Polygon(Children(p).Select(Positions).ToList())).OfType<Polygon>().ToArray()),
                "GeometryCollection" => Factory.CreateGeometryCollection((members ?? []).ToArray()),
                _ => throw new InputException(InputError.Malformed, $"feature {ordinal}: '{type}' is not a GeoJSON geometry type."),
            };
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NullReferenceException)
        {
            throw new InputException(InputError.Malformed, $"feature {ordinal}: invalid {type} geometry: {e.Message}");
        }
    }

    private static List<Node> Children(Node? c) =>
        c?.Children ?? throw new InvalidOperationException("'coordinates' is missing or has the wrong nesting for this type");

    private static Coordinate Position(Node? c) =>
        c?.Position ?? throw new InvalidOperationException("'coordinates' is missing or has the wrong nesting for this type");

    private static Coordinate[] Positions(Node? c) => Children(c).Select(Position).ToArray();
}
