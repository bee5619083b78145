using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks.Rules;

/// <summary>
/// LOW_PRECISION: every coordinate of the feature has 4 decimals or fewer (about 11 m at Indian latitudes), so it
/// cannot say which side of a road or ward edge it is on. Survey tools and digitising give 6 (about 0.1 m;
/// RFC 7946 §11.2). Points are tested on their two numbers; other shapes on every vertex.
/// </summary>
public sealed class LowPrecision : Rule
{
    public override string Code => "LOW_PRECISION";
    public override string Title => "Low coordinate precision";
    public override double Weight => 5;
    public override double Tolerance => 0.10;

    public override bool AppliesTo(LayerKind kind) => true;

    // Built from the geometry alone.
    public override FindingBasis Basis(CheckedLayer layer) => FindingBasis.Geometry;

    private const string OnGrid = "(abs({0} * 1e4 - round({0} * 1e4)) < 1e-6)";

    private static readonly string Findings = $"""
        SELECT f.id AS feature_id, NULL::bigint AS related_feature_id,
               'its coordinates have at most 4 decimals (about 11 m); record 6 (about 0.1 m)' AS detail,
               ST_Centroid(f.geom) AS location, NULL::double precision AS measure
        FROM features f
        WHERE f.layer_id = @layer AND f.geom IS NOT NULL AND NOT ST_IsEmpty(f.geom)
          AND CASE WHEN GeometryType(f.geom) = 'POINT'
                   THEN {string.Format(OnGrid, "ST_X(f.geom)")} AND {string.Format(OnGrid, "ST_Y(f.geom)")}
                   ELSE NOT EXISTS (SELECT 1 FROM ST_DumpPoints(f.geom) d
                                    WHERE NOT ({string.Format(OnGrid, "ST_X(d.geom)")} AND {string.Format(OnGrid, "ST_Y(d.geom)")}))
              END
        """;

    public override async Task<RuleResult> RunAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var counts = await context.StoreAsync(this, Findings, context.Parameters(), cancellationToken);
        return RuleResult.ByFeatures(counts, context.Layer.FeatureCount);
    }
}
