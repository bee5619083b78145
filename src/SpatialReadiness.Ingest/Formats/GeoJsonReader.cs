using System.Text.Json;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Ingest.Crs;

namespace SpatialReadiness.Ingest.Formats;

/// <summary>
/// GeoJSON as a FeatureCollection (RFC 7946, or the 2008 form with a "crs" member) or as newline-delimited features
/// (GeoJSONSeq / NDJSON). Features stream one at a time; anything after the collection is an error.
/// </summary>
internal sealed class GeoJsonReader(string path, ReaderOptions options) : ILayerFileReader
{
    private readonly FileStream _file = new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
    private readonly List<string> _fields = [];
    private readonly HashSet<string> _seenFields = new(StringComparer.Ordinal);

    private string _format = "GeoJSON";

    /// <summary>Set when the file was converted from another format by GDAL; the output is always EPSG:4326.</summary>
    public string? ConvertedBy { get; init; }

    public string Format => ConvertedBy ?? _format;
    public CrsDefinition? DeclaredCrs { get; private set; }
    public IReadOnlyList<string> Fields => _fields;

    public IEnumerable<RawFeature> Read(CancellationToken cancellationToken)
    {
        var cursor = new JsonStreamCursor(_file, options.MaxJsonValueBytes);
        if (!cursor.Read(out var token, out _))
            throw new InputException(InputError.Malformed, "the file is empty; expected a GeoJSON FeatureCollection or Feature.");
        if (token != JsonTokenType.StartObject)
            throw new InputException(InputError.Malformed, "not GeoJSON: the file must start with a JSON object ('{').");

        var ordinal = 0L;
        var type = (string?)null;
        var sawFeatures = false;
        while (cursor.Read(out token, out var name) && token == JsonTokenType.PropertyName)
        {
            switch (name)
            {
                case "type":
                    cursor.Read(out _, out type);
                    if (type == "Feature") { foreach (var f in ReadSequence(cancellationToken)) yield return f; yield break; }
                    if (type != "FeatureCollection")
                        throw new InputException(InputError.Malformed, $"GeoJSON of type '{type}' is not a layer: expected a FeatureCollection, a Feature or newline-delimited Features.");
                    break;
                case "crs":
                    using (var crs = cursor.ReadValue()!) DeclaredCrs = ParseCrs(crs.RootElement);
                    break;
                case "features":
                    if (!cursor.Read(out token, out _) || token != JsonTokenType.StartArray)
                        throw new InputException(InputError.Malformed, $"'features' must be an array (line {cursor.Line}).");
                    sawFeatures = true;
                    while (cursor.ReadFeature(++ordinal) is { } feature)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        yield return ToFeature(feature, ordinal, cursor);
                    }
                    break;
                default:
                    cursor.SkipValue();
                    break;
            }
        }
        if (!sawFeatures)
            throw new InputException(InputError.Malformed, "the FeatureCollection has no 'features' array.");
        const string after = "unexpected content after the end of the FeatureCollection; the file must hold one JSON value";
        try
        {
            if (cursor.Read(out _, out _)) throw new InputException(InputError.Malformed, $"{after} (line {cursor.Line}).");
        }
        catch (InputException e) when (!e.Message.StartsWith(after, StringComparison.Ordinal))
        {
            throw new InputException(InputError.Malformed, $"{after}: {e.Message}");
        }
    }

    /// <summary>A file that began with a Feature: the rest of that feature, then any further features (GeoJSONSeq).</summary>
    private IEnumerable<RawFeature> ReadSequence(CancellationToken cancellationToken)
    {
        _format = "GeoJSONSeq";
        // The first feature's "type" member has been consumed; restart the file and read whole values instead.
        _file.Position = 0;
        var sequence = new JsonStreamCursor(_file, options.MaxJsonValueBytes);
        var ordinal = 0L;
        while (sequence.ReadFeature(++ordinal) is { } feature)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return ToFeature(feature, ordinal, sequence);
        }
    }

    /// <param name="cursor">Asked for the line only when there is an error: counting lines costs a scan.</param>
    private RawFeature ToFeature(GeoJsonFeatureParser.Parsed feature, long ordinal, JsonStreamCursor cursor)
    {
        if (feature.Type != "Feature")
            throw new InputException(InputError.Malformed, $"feature {ordinal} (near line {cursor.Line}) is not a GeoJSON Feature object with \"type\": \"Feature\".");
        foreach (var name in feature.PropertyNames)
            if (_seenFields.Add(name)) _fields.Add(name);
        return new RawFeature(ordinal, feature.Id, feature.PropertiesJson ?? AttributeJson.Empty, feature.Geometry, feature.GeometryNote);
    }

    private static CrsDefinition? ParseCrs(JsonElement crs)
    {
        if (crs.ValueKind == JsonValueKind.Null) return null;
        if (crs.TryGetProperty("properties", out var properties) && properties.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
            return CrsRegistry.Parse(name.GetString()!);
        throw new InputException(InputError.Unprocessable, "the GeoJSON 'crs' member is not a named CRS (\"type\": \"name\"); give the CRS with --crs.");
    }

    public void Dispose() => _file.Dispose();
}
