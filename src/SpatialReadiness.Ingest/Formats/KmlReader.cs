using System.Globalization;
using System.Xml;
using NetTopologySuite.Geometries;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Ingest.Crs;

namespace SpatialReadiness.Ingest.Formats;

/// <summary>
/// KML 2.2 Placemarks at any depth of Documents and Folders, streamed with XmlReader. Attributes: name, description
/// and ExtendedData (Data/value and SchemaData/SimpleData, typed from the Schema's SimpleField types). KML is always
/// WGS 84 lon/lat.
/// </summary>
internal sealed class KmlReader(string path, ReaderOptions options) : ILayerFileReader
{
    private static readonly GeometryFactory Factory = new();
    private readonly XmlReader _xml = XmlReader.Create(path, new XmlReaderSettings
    {
        DtdProcessing = DtdProcessing.Prohibit, // no external entities
        IgnoreComments = true,
        IgnoreWhitespace = true,
    });
    private readonly Dictionary<string, string> _fieldTypes = new(StringComparer.Ordinal);
    private readonly List<string> _fields = [];

    public string Format => "KML";
    public CrsDefinition? DeclaredCrs => CrsRegistry.Wgs84;
    public IReadOnlyList<string> Fields => _fields;

    public IEnumerable<RawFeature> Read(CancellationToken cancellationToken)
    {
        long ordinal = 0;
        while (Next())
        {
            if (_xml.NodeType != XmlNodeType.Element) continue;
            if (_xml.LocalName == "SimpleField") _fieldTypes[_xml.GetAttribute("name") ?? ""] = _xml.GetAttribute("type") ?? "string";
            else if (_xml.LocalName == "Placemark")
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return ReadPlacemark(++ordinal);
            }
        }
    }

    private RawFeature ReadPlacemark(long ordinal)
    {
        var id = _xml.GetAttribute("id");
        var attributes = new List<KeyValuePair<string, object?>>();
        var geometries = new List<Geometry>();
        var depth = _xml.Depth;
        if (_xml.IsEmptyElement) return new RawFeature(ordinal, id, AttributeJson.Empty, null);
        while (Next() && !(_xml.NodeType == XmlNodeType.EndElement && _xml.Depth == depth))
        {
            if (_xml.NodeType != XmlNodeType.Element) continue;
            switch (_xml.LocalName)
            {
                case "name" when _xml.Depth == depth + 1:
                case "description" when _xml.Depth == depth + 1:
                    Add(attributes, _xml.LocalName, Text());
                    break;
                case "Data":
                    var dataName = _xml.GetAttribute("name") ?? "";
                    var value = ReadDataValue();
                    Add(attributes, dataName, value);
                    break;
                case "SimpleData":
                    var simpleName = _xml.GetAttribute("name") ?? "";
                    Add(attributes, simpleName, Typed(simpleName, Text(), ordinal));
                    break;
                case "Point" or "LineString" or "LinearRing" or "Polygon" or "MultiGeometry":
                    geometries.Add(ReadGeometry(ordinal));
                    break;
            }
        }
        var geometry = geometries.Count switch { 0 => null, 1 => geometries[0], _ => Factory.BuildGeometry(geometries) };
        return new RawFeature(ordinal, id, AttributeJson.Write(attributes), geometry);
    }

    private Geometry ReadGeometry(long ordinal)
    {
        var kind = _xml.LocalName;
        var depth = _xml.Depth;
        var parts = new List<Geometry>();
        Coordinate[]? coordinates = null;
        LinearRing? shell = null;
        var holes = new List<LinearRing>();
        var boundary = "";
        if (!_xml.IsEmptyElement)
            while (Next() && !(_xml.NodeType == XmlNodeType.EndElement && _xml.Depth == depth))
            {
                if (_xml.NodeType != XmlNodeType.Element) continue;
                if (kind == "MultiGeometry" && _xml.LocalName is "Point" or "LineString" or "LinearRing" or "Polygon" or "MultiGeometry")
                    parts.Add(ReadGeometry(ordinal));
                else if (_xml.LocalName is "outerBoundaryIs" or "innerBoundaryIs")
                    boundary = _xml.LocalName;
                else if (_xml.LocalName == "coordinates")
                {
                    coordinates = ParseCoordinates(Text(), ordinal);
                    if (kind == "Polygon")
                    {
                        var ring = Ring(coordinates, ordinal);
                        if (boundary == "outerBoundaryIs") shell = ring; else holes.Add(ring);
                    }
                }
            }
        try
        {
            return kind switch
            {
                "Point" => Factory.CreatePoint(coordinates is { Length: > 0 } ? coordinates[0] : null),
                "LineString" => Factory.CreateLineString(coordinates ?? []),
                "LinearRing" => Ring(coordinates ?? [], ordinal),
                "Polygon" => shell is null ? Factory.CreatePolygon() : Factory.CreatePolygon(shell, holes.ToArray()),
                _ => Factory.BuildGeometry(parts),
            };
        }
        catch (ArgumentException e)
        {
            throw new InputException(InputError.Malformed, $"Placemark {ordinal}: invalid {kind}: {e.Message}");
        }
    }

    private static LinearRing Ring(Coordinate[] coordinates, long ordinal)
    {
        try { return Factory.CreateLinearRing(coordinates); }
        catch (ArgumentException e) { throw new InputException(InputError.Malformed, $"Placemark {ordinal}: invalid ring: {e.Message}"); }
    }

    private Coordinate[] ParseCoordinates(string text, long ordinal)
    {
        var tuples = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (tuples.Length > options.MaxVerticesPerFeature)
            throw new InputException(InputError.TooLarge, $"Placemark {ordinal} has more than {options.MaxVerticesPerFeature:N0} vertices; simplify or split it.");
        var coordinates = new Coordinate[tuples.Length];
        for (var i = 0; i < tuples.Length; i++)
        {
            var parts = tuples[i].Split(',');
            if (parts.Length < 2
                || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var lon)
                || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var lat))
                throw new InputException(InputError.Malformed, $"Placemark {ordinal} (line {LineNumber}): '{tuples[i]}' is not 'longitude,latitude[,altitude]'.");
            coordinates[i] = new Coordinate(lon, lat);
        }
        return coordinates;
    }

    private string? ReadDataValue()
    {
        if (_xml.IsEmptyElement) return null;
        var depth = _xml.Depth;
        string? value = null;
        while (Next() && !(_xml.NodeType == XmlNodeType.EndElement && _xml.Depth == depth))
            if (_xml.NodeType == XmlNodeType.Element && _xml.LocalName == "value") value = Text();
        return value;
    }

    private object? Typed(string name, string text, long ordinal)
    {
        if (!_fieldTypes.TryGetValue(name, out var type) || text.Length == 0) return text;
        var invariant = CultureInfo.InvariantCulture;
        return type switch
        {
            "int" or "short" or "uint" or "ushort" when long.TryParse(text, NumberStyles.Integer, invariant, out var l) => l,
            "float" or "double" when double.TryParse(text, NumberStyles.Float, invariant, out var d) => d,
            "bool" => text is "1" or "true",
            _ => text,
        };
    }

    private void Add(List<KeyValuePair<string, object?>> attributes, string name, object? value)
    {
        if (!_fields.Contains(name)) _fields.Add(name);
        attributes.RemoveAll(a => a.Key == name);
        attributes.Add(new(name, value));
    }

    /// <summary>Reads an element's text; the reader then already stands on the next node, which Next() must not skip.</summary>
    private string Text()
    {
        if (_xml.IsEmptyElement) return "";
        try
        {
            var text = _xml.ReadElementContentAsString().Trim();
            _advanced = true;
            return text;
        }
        catch (XmlException e) { throw Broken(e); }
    }

    private bool _advanced;

    private bool Next()
    {
        if (_advanced)
        {
            _advanced = false;
            return !_xml.EOF;
        }
        try { return _xml.Read(); }
        catch (XmlException e) { throw Broken(e); }
        catch (System.Text.DecoderFallbackException) { throw new InputException(InputError.Malformed, $"line {LineNumber}: the KML is not valid in its declared encoding; re-save it as UTF-8."); }
    }

    private int LineNumber => (_xml as IXmlLineInfo)?.LineNumber ?? 0;

    private static InputException Broken(XmlException e) => new(InputError.Malformed, $"malformed KML (XML) at line {e.LineNumber}: {e.Message}");

    public void Dispose() => _xml.Dispose();
}
