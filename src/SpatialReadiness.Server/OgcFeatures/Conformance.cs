using SpatialReadiness.Server.OgcFeatures.Cql2;

namespace SpatialReadiness.Server.OgcFeatures;

/// <summary>Every conformance class /ogc/conformance declares: each is defined beside the code that implements it.</summary>
public static class Conformance
{
    public static IReadOnlyList<string> All { get; } =
    [
        .. OgcDocuments.ConformanceClasses,
        OgcCrs.Conformance,
        .. ItemsRequest.ConformanceClasses,
        .. Cql2TextParser.ConformanceClasses,
        .. FeatureWrites.ConformanceClasses,
    ];
}
