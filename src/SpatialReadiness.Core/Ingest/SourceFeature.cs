using NetTopologySuite.Geometries;

namespace SpatialReadiness.Core.Ingest;

/// <summary>
/// One feature read from an input file. <paramref name="Ordinal"/> is its 1-based position in the file (used in error
/// messages); <paramref name="AttributesJson"/> is a JSON object; <paramref name="Geometry"/> is null when the file
/// gave none (stored as received and reported by the check). <paramref name="GeometryNote"/> says what was wrong with the
/// geometry as written and how it was made storable (a ring closed, ...): the check counts such a feature invalid.
/// </summary>
public sealed record SourceFeature(long Ordinal, string? SourceId, string AttributesJson, Geometry? Geometry, string? GeometryNote = null);
