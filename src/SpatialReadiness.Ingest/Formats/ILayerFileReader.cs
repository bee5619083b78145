using NetTopologySuite.Geometries;
using SpatialReadiness.Ingest.Crs;

namespace SpatialReadiness.Ingest.Formats;

/// <summary>
/// Reads one file format into features in the file's own coordinates. Readers stream: they hold at most one feature
/// (plus a bounded buffer) in memory. They throw <see cref="InputException"/> for bad input, naming the
/// feature (1-based ordinal), line or field where the problem is.
/// </summary>
internal interface ILayerFileReader : IDisposable
{
    /// <summary>Human name of the format, e.g. "GeoJSON", "Shapefile".</summary>
    string Format { get; }

    /// <summary>
    /// The CRS the file declares (.prj, GeoPackage srs, GeoJSON crs), or null when it declares none. May only be known
    /// once <see cref="Read"/> has yielded its first feature.
    /// </summary>
    CrsDefinition? DeclaredCrs { get; }

    /// <summary>Attribute names in file order; complete once <see cref="Read"/> has finished.</summary>
    IReadOnlyList<string> Fields { get; }

    /// <summary>Whether <see cref="Fields"/> is complete before reading: the format has a header (DBF, CSV, GeoPackage table).</summary>
    bool FieldsKnownBeforeReading => false;

    IEnumerable<RawFeature> Read(CancellationToken cancellationToken);
}

/// <param name="Ordinal">1-based position in the file.</param>
/// <param name="SourceId">The file's own feature id (GeoJSON id, GeoPackage fid, KML Placemark id), if any.</param>
/// <param name="AttributesJson">Attributes as one JSON object (see <see cref="AttributeJson"/>).</param>
/// <param name="Geometry">Geometry in the file's CRS, null when the feature has none.</param>
/// <param name="GeometryNote">What was wrong with the geometry as written and how it was made storable (<see cref="GeometryRepair"/>).</param>
internal sealed record RawFeature(long Ordinal, string? SourceId, string AttributesJson, Geometry? Geometry, string? GeometryNote = null);
