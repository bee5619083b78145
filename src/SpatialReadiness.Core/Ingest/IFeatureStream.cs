using NetTopologySuite.Geometries;

namespace SpatialReadiness.Core.Ingest;

/// <summary>
/// Features of one input file, already in EPSG:4326, read lazily so any size streams through in flat memory.
/// <see cref="Finish"/> is called after the last feature: it applies the whole-layer gates (empty, outside India) and
/// returns what the store records. It throws <see cref="InputException"/> so the caller can roll back.
/// </summary>
public interface IFeatureStream : IDisposable
{
    IEnumerable<SourceFeature> Features(CancellationToken cancellationToken);

    /// <summary>
    /// The file's fields when known before the first feature is read (formats with a header), else null: they are then
    /// known only from <see cref="Finish"/>.
    /// </summary>
    IReadOnlyList<string>? FieldsBeforeReading => null;

    IngestSummary Finish();
}

/// <param name="Format">The reader that parsed the file (GeoJSON, Shapefile, ...).</param>
/// <param name="CrsReceived">The CRS the coordinates came in, as declared or assumed (e.g. "EPSG:32643").</param>
/// <param name="Extent">Extent in EPSG:4326 of all geometries; null when there are none.</param>
public sealed record IngestSummary(
    string Format,
    string CrsReceived,
    long FeatureCount,
    long EmptyGeometryCount,
    Envelope? Extent,
    IReadOnlyList<string> Fields);
