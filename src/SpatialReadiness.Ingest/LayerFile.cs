using NetTopologySuite.Geometries;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Ingest.Crs;
using SpatialReadiness.Ingest.Formats;

namespace SpatialReadiness.Ingest;

/// <summary>
/// One uploaded file read as a layer: the format's reader, then every feature reprojected to EPSG:4326 and measured
/// (extent, position), then the whole-layer gate: most features must lie in India, else the import is refused with a
/// hint naming the CRS that would put them there. Invalid geometries pass through as received (the store counts them).
/// </summary>
public sealed class LayerFile : IFeatureStream
{
    private readonly ILayerFileReader _reader;
    private readonly IngestOptions _options;
    private readonly string? _workDirectory;
    private Reprojection? _reprojection;
    private ToWgs84? _toWgs84;
    private long _count, _empty, _withGeometry, _insideIndia;
    private double _sumX, _sumY;
    private Envelope? _extent;

    internal LayerFile(ILayerFileReader reader, IngestOptions options, string? workDirectory)
    {
        _reader = reader;
        _options = options;
        _workDirectory = workDirectory;
    }

    /// <summary>Opens <paramref name="path"/>; <paramref name="fileName"/> is the name the user gave it (for the format).</summary>
    public static LayerFile Open(string path, string fileName, IngestOptions options) => LayerFileOpener.Open(path, fileName, options);

    public string Format => _reader.Format;

    public IReadOnlyList<string>? FieldsBeforeReading => _reader.FieldsKnownBeforeReading ? _reader.Fields : null;

    public IEnumerable<SourceFeature> Features(CancellationToken cancellationToken)
    {
        foreach (var raw in _reader.Read(cancellationToken))
        {
            _count++;
            var geometry = raw.Geometry;
            if (geometry is null || geometry.IsEmpty)
            {
                _empty++;
                yield return new SourceFeature(raw.Ordinal, raw.SourceId, raw.AttributesJson, null, raw.GeometryNote);
                continue;
            }
            if (geometry.NumPoints > _options.MaxVerticesPerFeature)
                throw new InputException(InputError.TooLarge,
                    $"feature {raw.Ordinal} has {geometry.NumPoints:N0} vertices, over the limit of {_options.MaxVerticesPerFeature:N0} per feature; simplify or split it.");
            _toWgs84 ??= new ToWgs84(_reprojection = new Reprojection(ResolveCrs()), _options.SwapXY);
            var rawCentre = geometry.EnvelopeInternal.Centre;
            var wgs84 = _toWgs84.Apply(geometry, raw.Ordinal);
            Measure(wgs84, rawCentre);
            yield return new SourceFeature(raw.Ordinal, raw.SourceId, raw.AttributesJson, wgs84, raw.GeometryNote);
        }
    }

    private void Measure(Geometry wgs84, Coordinate rawCentre)
    {
        _withGeometry++;
        var envelope = wgs84.EnvelopeInternal;
        // The layer's extent (bbox, TileJSON bounds and centre, OGC extent) is made of the features lying in India: a
        // point at 0,0 or a swapped row is a finding of the check, not a reason to span half the planet.
        if (IndiaExtent.Contains(envelope.MinX, envelope.MinY) && IndiaExtent.Contains(envelope.MaxX, envelope.MaxY))
            (_extent ??= new Envelope()).ExpandToInclude(envelope);
        if (IndiaExtent.Contains(envelope.Centre.X, envelope.Centre.Y)) _insideIndia++;
        var (x, y) = _options.SwapXY ? (rawCentre.Y, rawCentre.X) : (rawCentre.X, rawCentre.Y);
        _sumX += x;
        _sumY += y;
    }

    private CrsDefinition ResolveCrs() =>
        _options.Crs is { Length: > 0 } given ? CrsRegistry.Parse(given) : _reader.DeclaredCrs ?? CrsRegistry.Wgs84;

    public IngestSummary Finish()
    {
        var crs = _reprojection?.Source ?? ResolveCrs();
        if (_withGeometry > 0 && _insideIndia * 2 < _withGeometry)
        {
            var (x, y) = (_sumX / _withGeometry, _sumY / _withGeometry);
            throw new InputException(InputError.Unprocessable,
                $"{_withGeometry - _insideIndia} of {_withGeometry} features lie outside India when read in {crs} " +
                $"(India is {IndiaExtent.MinLon}–{IndiaExtent.MaxLon} E, {IndiaExtent.MinLat}–{IndiaExtent.MaxLat} N). " +
                CrsHints.Suggest(x, y, crs));
        }
        var label = crs.Label + (_options.SwapXY ? " (axes swapped)" : "") + (_reader.DeclaredCrs is null && _options.Crs is null ? " (assumed)" : "");
        return new IngestSummary(Format, label, _count, _empty, _extent, _reader.Fields);
    }

    public void Dispose()
    {
        _reader.Dispose();
        if (_workDirectory is not null && Directory.Exists(_workDirectory))
            Directory.Delete(_workDirectory, recursive: true);
    }
}
