using System.Globalization;
using System.Text;
using NetTopologySuite.Geometries;
using SpatialReadiness.Ingest.Crs;

namespace SpatialReadiness.Ingest.Formats;

/// <summary>
/// CSV with a header and longitude/latitude columns (RFC 4180 quoting; comma, semicolon or tab). Coordinates become
/// points; every other column is kept as text, since CSV has no types and "007" must stay "007". Coordinates are not
/// range-checked here: the caller does that after applying --crs and --swap-xy, which can make them valid.
/// </summary>
internal sealed class CsvReader : ILayerFileReader
{
    private static readonly string[] LongitudeNames = ["lon", "lng", "long", "longitude", "x"];
    private static readonly string[] LatitudeNames = ["lat", "latitude", "y"];
    private static readonly GeometryFactory Factory = new();

    private readonly string _path;
    private readonly Encoding _encoding;
    private readonly DecodeWatch _text;
    private readonly CsvTokenizer _tokenizer;
    private readonly string[] _header;
    private readonly int _lon, _lat;

    public CsvReader(string path, ReaderOptions options)
    {
        _path = path;
        _encoding = options.StrictEncoding();
        _text = new DecodeWatch(new StreamReader(path, _encoding, detectEncodingFromByteOrderMarks: true, 1 << 16));
        _tokenizer = new CsvTokenizer(_text, _encoding.WebName);
        try
        {
            var header = NextRecord() ?? throw new InputException(InputError.Malformed, "the CSV file is empty; it needs a header row and one row per feature.");
            _header = header.Select(h => h.Trim()).ToArray();
            _lon = Column(LongitudeNames);
            _lat = Column(LatitudeNames);
            if (_lon < 0 || _lat < 0)
                throw new InputException(InputError.Malformed,
                    "no coordinate columns: expected a longitude column (lon, lng, long, longitude or x) and a latitude column (lat, latitude or y); " +
                    $"the header has: {string.Join(", ", _header)}. Rename the coordinate columns, or convert the file to GeoJSON if its geometry is not points.");
        }
        catch
        {
            _tokenizer.Dispose();
            throw;
        }
        Fields = _header.Where((_, i) => i != _lon && i != _lat).ToList();
    }

    public string Format => "CSV";
    public CrsDefinition? DeclaredCrs => null;
    public IReadOnlyList<string> Fields { get; }
    public bool FieldsKnownBeforeReading => true;

    public IEnumerable<RawFeature> Read(CancellationToken cancellationToken)
    {
        long ordinal = 0;
        while (true)
        {
            var line = _tokenizer.Line;
            var record = NextRecord();
            if (record is null) yield break;
            if (record.Count == 1 && record[0].Length == 0) continue; // blank line
            cancellationToken.ThrowIfCancellationRequested();
            ordinal++;
            if (record.Count != _header.Length)
                throw new InputException(InputError.Malformed,
                    $"line {line} has {record.Count} fields but the header has {_header.Length}; quote values that contain the delimiter (\"a, b\").");
            var lon = Coordinate(record[_lon], line, _header[_lon]);
            var lat = Coordinate(record[_lat], line, _header[_lat]);
            var geometry = lon is null || lat is null ? null : Factory.CreatePoint(new Coordinate(lon.Value, lat.Value));
            var attributes = new List<KeyValuePair<string, object?>>(_header.Length - 2);
            for (var i = 0; i < _header.Length; i++)
                if (i != _lon && i != _lat) attributes.Add(new(_header[i], record[i]));
            yield return new RawFeature(ordinal, null, AttributeJson.Write(attributes), geometry);
        }
    }

    private List<string>? NextRecord()
    {
        try { return _tokenizer.ReadRecord(); }
        catch (InputException) when (_text.Failed) { throw TextErrors.NotValidText(_path, _encoding, "CSV", _tokenizer.Line); }
    }

    private static double? Coordinate(string text, long line, string column)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0) return null;
        return double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw new InputException(InputError.Malformed,
                $"line {line}, column '{column}': '{text}' is not a number; write decimal degrees with a dot (73.85), not degrees-minutes or a decimal comma.");
    }

    private int Column(string[] names)
    {
        foreach (var name in names)
        {
            var index = Array.FindIndex(_header, h => h.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (index >= 0) return index;
        }
        return -1;
    }

    public void Dispose() => _tokenizer.Dispose();

    /// <summary>Notes that the text could not be decoded, so the tokenizer's error can be replaced by one naming the exact line.</summary>
    private sealed class DecodeWatch(TextReader inner) : TextReader
    {
        public bool Failed { get; private set; }

        public override int Read()
        {
            try { return inner.Read(); }
            catch (DecoderFallbackException) { Failed = true; throw; }
        }

        public override int Peek()
        {
            try { return inner.Peek(); }
            catch (DecoderFallbackException) { Failed = true; throw; }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
