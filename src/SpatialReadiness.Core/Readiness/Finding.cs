using NetTopologySuite.Geometries;

namespace SpatialReadiness.Core.Readiness;

/// <summary>
/// One thing the check found, as a person reads it: "slum 196: 37.1 % of its area lies outside the city".
/// <paramref name="FeatureId"/> is null for a finding about the whole layer (a required field absent from it);
/// <paramref name="RelatedFeatureId"/> is the other feature of a pair in the same layer (an overlap, a duplicate);
/// <paramref name="FeatureLabel"/> is how people know the feature (its id attribute, e.g. slum "196"), else "#id".
/// </summary>
public sealed record Finding(
    string Rule,
    Severity Severity,
    long LayerId,
    string Layer,
    long? FeatureId,
    long? RelatedFeatureId,
    string Detail,
    Geometry? Location,
    string? FeatureLabel = null);
