using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks.Warnings;

/// <summary>
/// NEAR_DUPLICATE (warning): two points within 1 m of each other, or two polygons whose outlines are within 1 m
/// everywhere (Hausdorff distance in the city's UTM zone), whatever their attributes: often the same thing entered
/// twice with different spellings, sometimes two things at one address. Exact repeats with the same attributes are
/// DUPLICATE errors and are not repeated here.
/// </summary>
public sealed class NearDuplicate : Rule
{
    public override string Code => "NEAR_DUPLICATE";
    public override string Title => "Near-duplicate geometry";
    public override Severity Severity => Severity.Warning;

    public override bool AppliesTo(LayerKind kind) => true;

    // Exact repeats with equal attributes are left out: whether there is a finding compares every attribute.
    public override FindingBasis Basis(CheckedLayer layer) => FindingBasis.AllFields;

    // Points: DBSCAN groups points closer than 1.2e-5 degrees (at least 1 m anywhere in India) in one pass over the
    // index (1.4 s for a million points, where a self-join takes 12 s); pairs within a group are then measured exactly.
    private static readonly string Points = $"""
        WITH grouped AS (
            SELECT f.id, f.geom, f.attributes, ST_ClusterDBSCAN(f.geom, 1.2e-5, 2) OVER () AS near
            FROM features f WHERE f.layer_id = @layer AND GeometryType(f.geom) = 'POINT'
        ),
        close AS (SELECT * FROM grouped WHERE near IS NOT NULL)
        SELECT a.id AS feature_id, b.id AS related_feature_id,
               'lies ' || to_char(ST_Distance(a.geom::geography, b.geom::geography), 'FM990.00') || ' m from ' || {Sql.FeatureName("b.id")} AS detail,
               a.geom AS location, NULL::double precision AS measure
        FROM close a JOIN close b ON b.near = a.near AND b.id > a.id
        WHERE NOT (a.geom = b.geom AND a.attributes = b.attributes) AND ST_Distance(a.geom::geography, b.geom::geography) < 1
        """;

    // Outlines within 1 m everywhere have bounding boxes within 1 m: a cheap test before the exact one. The dimension
    // test on both sides keeps the planner from joining a million points to themselves only to discard them;
    // "a.id - b.id < 0" keeps it from ANDing a primary-key range into every index probe (as in OVERLAP).
    private static readonly string Shapes = $"""
        SELECT a.id AS feature_id, b.id AS related_feature_id,
               'has nearly the same outline as ' || {Sql.FeatureName("b.id")} || ' (within 1 m everywhere)' AS detail,
               ST_Centroid(a.geom) AS location, NULL::double precision AS measure
        FROM features a JOIN features b ON b.layer_id = @layer AND a.id - b.id < 0 AND a.geom && ST_Expand(b.geom, 1.5e-5)
        WHERE a.layer_id = @layer AND ST_Dimension(a.geom) > 0 AND ST_Dimension(b.geom) > 0 AND ST_Dimension(a.geom) = ST_Dimension(b.geom)
          AND NOT (a.geom = b.geom AND a.attributes = b.attributes)
          AND abs(ST_XMin(a.geom) - ST_XMin(b.geom)) < 1.5e-5 AND abs(ST_XMax(a.geom) - ST_XMax(b.geom)) < 1.5e-5
          AND abs(ST_YMin(a.geom) - ST_YMin(b.geom)) < 1.5e-5 AND abs(ST_YMax(a.geom) - ST_YMax(b.geom)) < 1.5e-5
          AND ST_HausdorffDistance(ST_Transform(a.geom, @utm), ST_Transform(b.geom, @utm)) < 1
        """;

    public override async Task<RuleResult> RunAsync(RuleContext context, CancellationToken cancellationToken)
    {
        // A feature is a point or a shape, never both, so the two counts add up.
        var points = await context.StoreAsync(this, Points, context.Parameters(), cancellationToken);
        var shapes = await context.StoreAsync(this, Shapes, context.Parameters(), cancellationToken);
        return RuleResult.ByFeatures(new FindingCounts(points.Rows + shapes.Rows, points.Features + shapes.Features, 0), context.Layer.FeatureCount);
    }
}
