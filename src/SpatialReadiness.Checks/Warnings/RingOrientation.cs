using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks.Warnings;

/// <summary>
/// RING_ORIENTATION (warning): polygons whose outer rings run clockwise, against RFC 7946 §3.1.6 (which also tells
/// readers not to reject them). Harmless for PostGIS and QGIS; some web renderers fill them inside out. Reported
/// once per layer, since shapefile-born layers are clockwise throughout.
/// </summary>
public sealed class RingOrientation : Rule
{
    public override string Code => "RING_ORIENTATION";
    public override string Title => "Clockwise outer rings";
    public override Severity Severity => Severity.Warning;

    public override bool AppliesTo(LayerKind kind) => kind is LayerKind.Ward or LayerKind.Slum or LayerKind.Building or LayerKind.Boundary;

    // Built from the geometry alone.
    public override FindingBasis Basis(CheckedLayer layer) => FindingBasis.Geometry;

    private const string Findings = """
        WITH p AS (
            SELECT count(*) AS polygons, count(*) FILTER (WHERE NOT ST_IsPolygonCCW(f.geom)) AS clockwise
            FROM features f WHERE f.layer_id = @layer AND ST_Dimension(f.geom) = 2
        )
        SELECT NULL::bigint AS feature_id, NULL::bigint AS related_feature_id,
               clockwise || ' of ' || polygons || ' polygons have clockwise outer rings; RFC 7946 asks for counter-clockwise' AS detail,
               NULL::geometry AS location, clockwise::double precision AS measure
        FROM p WHERE clockwise > 0
        """;

    public override async Task<RuleResult> RunAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var counts = await context.StoreAsync(this, Findings, context.Parameters(), cancellationToken);
        return new RuleResult(true, null, context.Layer.FeatureCount, counts.Measure, counts.Rows);
    }
}
