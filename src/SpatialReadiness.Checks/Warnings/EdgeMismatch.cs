using NetTopologySuite.Coverage;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks.Warnings;

/// <summary>
/// EDGE_MISMATCH (warning): wards whose shared edges do not use identical vertices, found with NetTopologySuite's
/// CoverageValidator (PostGIS 3.3 has no ST_CoverageInvalidEdges). Mismatched edges are harmless for areas but make
/// topology-aware editing and simplification tear the coverage apart, so they are reported, not scored.
/// </summary>
public sealed class EdgeMismatch : Rule
{
    public override string Code => "EDGE_MISMATCH";
    public override string Title => "Ward edges not matched exactly";
    public override Severity Severity => Severity.Warning;

    public override bool AppliesTo(LayerKind kind) => kind == LayerKind.Ward;

    // Built from the geometry alone.
    public override FindingBasis Basis(CheckedLayer layer) => FindingBasis.Geometry;

    public override async Task<RuleResult> RunAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var features = (await context.Database.ReadGeometriesAsync(context.Layer.Id, cancellationToken))
            .Where(f => f.Geometry is Polygon or MultiPolygon).ToList();
        var coverage = features.Select(f => f.Geometry.IsValid ? f.Geometry : GeometryFixer.Fix(f.Geometry)).ToArray();
        var invalidEdges = CoverageValidator.Validate(coverage);
        var findings = new List<Finding>();
        for (var i = 0; i < features.Count; i++)
        {
            if (invalidEdges[i] is not { IsEmpty: false } edges) continue;
            findings.Add(new Finding(Code, Severity, context.Layer.Id, context.Layer.Name, features[i].Id, null,
                $"{edges.NumGeometries} stretch(es) of its edge, {edges.NumPoints} vertices, do not match the neighbouring ward's vertices exactly",
                edges));
        }
        var counts = await context.Database.StoreFindingsAsync(findings, Basis(context.Layer), cancellationToken);
        return RuleResult.ByFeatures(counts, context.Layer.FeatureCount);
    }
}
