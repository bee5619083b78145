using System.Globalization;
using System.Text;
using System.Xml;
using NetTopologySuite.Geometries;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Ingest.Crs;

namespace SpatialReadiness.Ingest.Formats;

/// <summary>
/// KML 2.2 Placemarks at any depth of Documents and Folders, streamed with XmlReader (any namespace or none).
/// Attributes: name, description and ExtendedData (Data/value and SchemaData/SimpleData, typed from the Schema's
/// SimpleField types). KML is always WGS 84 lon/lat; altitudes are dropped. A standalone LinearRing is read as a
/// closed LineString (WKB has no ring type).
/// </summary>
internal sealed class KmlReader : ILayerFileReader
{
    private static readonly GeometryFactory Factory = new();
    private static readonly char[] Whitespace = [' ', '\t', '\r', '\n'];

    private readonly string _path;
    private readonly ReaderOptions _options;
    private readonly Encoding? _userEncoding;
    private readonly XmlReader _xml;
    private readonly Dictionary<string, string> _fieldTypes = new(StringComparer.Ordinal);
    private readonly List<string> _fields = [];
    private string? _declaredEncoding;
    private long _vertices; // in the current Placemark

    // An XML declaration may name windows-1252 and the like, which .NET only knows once this provider is registered.
    static KmlReader() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public KmlReader(string path, ReaderOptions options)
    {
        _path = path;
        _options = options;
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Ignore, // no entity expansion, no external fetches
            IgnoreComments = true,
            IgnoreWhitespace = true,
            CloseInput = true,
        };
        // A stream rather than the path: XmlReader.Create(string) takes a URI, and '#' or '%' in a file name breaks it.
        var stream = File.OpenRead(path);
        try
        {
            _userEncoding = options.Encoding is null ? null : options.StrictEncoding();
            _xml = _userEncoding is null
                ? XmlReader.Create(stream, settings)
                : XmlReader.Create(new StreamReader(stream, _userEncoding, detectEncodingFromByteOrderMarks: true), settings);
        }
        catch (XmlException e)
        {
            stream.Dispose();
            throw Broken(e);
        }
    }

    public string Format => "KML";
    public CrsDefinition? DeclaredCrs => CrsRegistry.Wgs84;
    public IReadOnlyList<string> Fields => _fields;

    public IEnumerable<RawFeature> Read(CancellationToken cancellationToken)
    {
        long ordinal = 0;
        while (Next())
        {
            if (_xml.NodeType == XmlNodeType.XmlDeclaration) _declaredEncoding = _xml.GetAttribute("encoding");
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
        if (_xml.IsEmptyElement) return new RawFeature(ordinal, id, AttributeJson.Empty, null);
        var attributes = new List<KeyValuePair<string, object?>>();
        var geometries = new List<Geometry>();
        var repair = new GeometryRepair(Factory);
        var depth = _xml.Depth;
        _vertices = 0;
        while (Next() && !(_xml.NodeType == XmlNodeType.EndElement && _xml.Depth == depth))
        {
            if (_xml.NodeType != XmlNodeType.Element) continue;
            switch (_xml.LocalName)
            {
                case "name" or "description" when _xml.Depth == depth + 1:
                    Add(attributes, _xml.LocalName, Text());
                    break;
                case "Data":
                    Add(attributes, _xml.GetAttribute("name") ?? "", DataValue());
                    break;
                case "SimpleData":
                    var name = _xml.GetAttribute("name") ?? "";
                    Add(attributes, name, Typed(name, Text()));
                    break;
                case "Point" or "LineString" or "LinearRing" or "Polygon" or "MultiGeometry":
                    if (ReadGeometry(ordinal, repair) is { } read) geometries.Add(read);
                    break;
            }
        }
        var geometry = repair.Finish(geometries.Count switch { 0 => null, 1 => geometries[0], _ => Multi(geometries) });
        return new RawFeature(ordinal, id, AttributeJson.Write(attributes), geometry, repair.Note);
    }

    /// <summary>Reads the geometry element the reader stands on.</summary>
    private Geometry? ReadGeometry(long ordinal, GeometryRepair repair)
    {
        var kind = _xml.LocalName;
        var line = LineNumber;
        var depth = _xml.Depth;
        var parts = new List<Geometry>();
        Coordinate[] coordinates = [];
        var rings = new List<Coordinate[]>();
        Coordinate[]? shell = null;
        var boundary = "";
        if (!_xml.IsEmptyElement)
            while (Next() && !(_xml.NodeType == XmlNodeType.EndElement && _xml.Depth == depth))
            {
                if (_xml.NodeType != XmlNodeType.Element) continue;
                if (kind == "MultiGeometry" && _xml.LocalName is "Point" or "LineString" or "LinearRing" or "Polygon" or "MultiGeometry")
                {
                    if (ReadGeometry(ordinal, repair) is { } part) parts.Add(part);
                }
                else if (_xml.LocalName is "outerBoundaryIs" or "innerBoundaryIs")
                    boundary = _xml.LocalName;
                else if (_xml.LocalName == "coordinates")
                {
                    coordinates = ParseCoordinates(Text(), ordinal, LineNumber);
                    if (kind != "Polygon") continue;
                    if (boundary == "outerBoundaryIs") shell = coordinates;
                    else if (boundary == "innerBoundaryIs") rings.Add(coordinates);
                }
            }
        try
        {
            return kind switch
            {
                "Point" => Factory.CreatePoint(coordinates.Length > 0 ? coordinates[0] : null),
                "LineString" => repair.Line(coordinates),
                "LinearRing" => repair.Ring(coordinates) is { } ring ? Factory.CreateLineString(ring.CoordinateSequence) : null,
                "Polygon" => shell is null ? Factory.CreatePolygon() : repair.Polygon([shell, .. rings]),
                _ => Multi(parts),
            };
        }
        catch (ArgumentException e)
        {
            throw new InputException(InputError.Malformed, $"Placemark {ordinal} (line {line}): the {kind} cannot be built: {e.Message}. Fix or remove that geometry.");
        }
    }

    /// <summary>Multi* when every part has the same type (even a single part), else a GeometryCollection.</summary>
    private static Geometry Multi(List<Geometry> parts)
    {
        if (parts.Count > 0 && parts.TrueForAll(p => p is Point)) return Factory.CreateMultiPoint(parts.Cast<Point>().ToArray());
        if (parts.Count > 0 && parts.TrueForAll(p => p is LineString)) return Factory.CreateMultiLineString(parts.Cast<LineString>().ToArray());
        if (parts.Count > 0 && parts.TrueForAll(p => p is Polygon)) return Factory.CreateMultiPolygon(parts.Cast<Polygon>().ToArray());
        return Factory.CreateGeometryCollection(parts.ToArray());
    }


    /// <summary>Parses "lon,lat[,alt] lon,lat[,alt] ...", counting vertices against the per-feature limit as it goes.</summary>
    private Coordinate[] ParseCoordinates(string text, long ordinal, int line)
    {
        var coordinates = new List<Coordinate>();
        var span = text.AsSpan();
        foreach (var range in span.SplitAny(Whitespace))
        {
            var tuple = span[range];
            if (tuple.IsEmpty) continue;
            if (++_vertices > _options.MaxVerticesPerFeature)
                throw new InputException(InputError.TooLarge,
                    $"Placemark {ordinal} (line {line}) has more than {_options.MaxVerticesPerFeature.ToString("N0", CultureInfo.InvariantCulture)} vertices, " +
                    "the limit per feature; simplify it (e.g. ogr2ogr -simplify) or split it.");
            var comma = tuple.IndexOf(',');
            ReadOnlySpan<char> rest = comma < 0 ? default : tuple[(comma + 1)..];
            var second = rest.IndexOf(',');
            var latText = second < 0 ? rest : rest[..second];
            if (comma < 0
                || !double.TryParse(tuple[..comma], NumberStyles.Float, CultureInfo.InvariantCulture, out var lon)
                || !double.TryParse(latText, NumberStyles.Float, CultureInfo.InvariantCulture, out var lat))
                throw new InputException(InputError.Malformed,
                    $"Placemark {ordinal} (line {line}): '{tuple}' is not 'longitude,latitude[,altitude]'; KML coordinates are comma-separated " +
                    "within a point (no spaces) and space-separated between points.");
            coordinates.Add(new Coordinate(lon, lat));
        }
        return coordinates.ToArray();
    }

    private string? DataValue()
    {
        if (_xml.IsEmptyElement) return null;
        var depth = _xml.Depth;
        string? value = null;
        while (Next() && !(_xml.NodeType == XmlNodeType.EndElement && _xml.Depth == depth))
            if (_xml.NodeType == XmlNodeType.Element && _xml.LocalName == "value") value = Text();
        return value;
    }

    private object? Typed(string name, string text)
    {
        if (!_fieldTypes.TryGetValue(name, out var type) || text.Length == 0) return text;
        var invariant = CultureInfo.InvariantCulture;
        return type switch
        {
            "int" or "short" or "uint" or "ushort" when long.TryParse(text, NumberStyles.Integer, invariant, out var l) => l,
            "float" or "double" when double.TryParse(text, NumberStyles.Float, invariant, out var d) => d,
            "bool" when text is "1" or "true" => true,
            "bool" when text is "0" or "false" => false,
            _ => text,
        };
    }

    private void Add(List<KeyValuePair<string, object?>> attributes, string name, object? value)
    {
        if (!_fields.Contains(name)) _fields.Add(name);
        attributes.RemoveAll(a => a.Key == name);
        attributes.Add(new(name, value));
    }

    /// <summary>
    /// The text of the element the reader stands on, leaving it on that element's end. Markup inside (HTML written
    /// unescaped in a description) is kept as written.
    /// </summary>
    private string Text()
    {
        if (_xml.IsEmptyElement) return "";
        var depth = _xml.Depth;
        var text = new StringBuilder();
        try
        {
            // XmlReader parses text lazily, so .Value and ReadOuterXml can fail too.
            var more = _xml.Read();
            while (more && !(_xml.NodeType == XmlNodeType.EndElement && _xml.Depth == depth))
            {
                if (_xml.NodeType == XmlNodeType.Element)
                {
                    text.Append(_xml.ReadOuterXml()); // moves past the element itself
                    continue;
                }
                if (_xml.NodeType is XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.SignificantWhitespace) text.Append(_xml.Value);
                more = _xml.Read();
            }
        }
        catch (Exception e) when (e is XmlException or DecoderFallbackException) { throw Failure(e); }
        return text.ToString().Trim();
    }

    private bool Next()
    {
        try { return _xml.Read(); }
        catch (Exception e) when (e is XmlException or DecoderFallbackException) { throw Failure(e); }
    }

    private int LineNumber => (_xml as IXmlLineInfo)?.LineNumber ?? 0;

    private InputException Failure(Exception e) =>
        e is XmlException xml ? Broken(xml) : TextErrors.NotValidText(_path, _userEncoding ?? new UTF8Encoding(false, true), "KML", LineNumber);

    private InputException Broken(XmlException e)
    {
        // XmlReader reports bytes that are not UTF-8 as an ordinary XML error; when they are the cause, say so.
        var utf8 = new UTF8Encoding(false, true);
        if (_userEncoding is null && (string.IsNullOrEmpty(_declaredEncoding) || IsUtf8(_declaredEncoding))
            && TextErrors.FirstUndecodableLine(_path, utf8) is var (line, bytes) && line <= e.LineNumber)
            return TextErrors.NotValidText(utf8, "KML", line, bytes);
        return new InputException(InputError.Malformed,
            $"malformed KML (XML) at line {e.LineNumber}, position {e.LinePosition}: {e.Message} Fix the XML there (often an unclosed or misspelt tag, or a bare '&' that should be '&amp;').");
    }

    private static bool IsUtf8(string? name) => name is not null && name.Replace("-", "").Equals("utf8", StringComparison.OrdinalIgnoreCase);

    public void Dispose() => _xml.Dispose();
}
