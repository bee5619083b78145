using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks.Warnings;

/// <summary>
/// MULTIPART (warning): a ward or slum made of several separate pieces. Sometimes true (a ward across a creek),
/// often a stray digitising fragment; worth a look, not an error.
/// </summary>
public sealed class Multipart : Rule
{
    public override string Code => "MULTIPART";
    public override string Title => "Several separate parts";
    public override Severity Severity => Severity.Warning;

    public override bool AppliesTo(LayerKind kind) => kind is LayerKind.Ward or LayerKind.Slum or LayerKind.Building;

    // Built from the geometry alone.
    public override FindingBasis Basis(CheckedLayer layer) => FindingBasis.Geometry;

    private static readonly string Findings = $"""
        SELECT f.id AS feature_id, NULL::bigint AS related_feature_id,
               'has ' || ST_NumGeometries(f.geom) || ' separate parts; the smallest is ' || {Sql.Area("(SELECT min(ST_Area(d.geom::geography)) FROM ST_Dump(f.geom) d)")} AS detail,
               ST_Centroid(f.geom) AS location, ST_NumGeometries(f.geom)::double precision AS measure
        FROM features f
        WHERE f.layer_id = @layer AND GeometryType(f.geom) = 'MULTIPOLYGON' AND ST_NumGeometries(f.geom) > 1
        """;

    public override async Task<RuleResult> RunAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var counts = await context.StoreAsync(this, Findings, context.Parameters(), cancellationToken);
        return RuleResult.ByFeatures(counts, context.Layer.FeatureCount);
    }
}
