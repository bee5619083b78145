using NetTopologySuite.Geometries;

namespace SpatialReadiness.Core.Ingest;

/// <summary>
/// One feature read from an input file. <paramref name="Ordinal"/> is its 1-based position in the file (used in error
/// messages); <paramref name="AttributesJson"/> is a JSON object; <paramref name="Geometry"/> is null when the file
/// gave none (stored as received and reported by the check).
/// </summary>
public sealed record SourceFeature(long Ordinal, string? SourceId, string AttributesJson, Geometry? Geometry);
