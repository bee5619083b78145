using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks.Rules;

/// <summary>
/// OUTSIDE_CITY, the core of DMAF 4.e ("no location coordinates or areas falling outside the specified boundaries").
/// An error is a point more than 10 m outside the city (GPS and digitising noise stay within that), a polygon with
/// more than 1 % of its area outside (slivers along a shared edge do not count), or a line with more than 1 % of its
/// length outside. Points say why when the reason is plain: at null island (0, 0), or inside the city once latitude
/// and longitude are swapped. Distances and areas on the spheroid (geography). The detail says what "the city" was:
/// the city boundary, or the union of the wards standing in for a missing boundary layer.
/// </summary>
public sealed class OutsideCity : Rule
{
    public override string Code => "OUTSIDE_CITY";
    public override string Title => "Outside the city boundary";
    public override double Weight => 25;
    public override double Tolerance => 0.05;

    public override bool AppliesTo(LayerKind kind) => kind != LayerKind.Boundary;

    // Built from the geometry alone.
    public override FindingBasis Basis(CheckedLayer layer) => FindingBasis.Geometry;

    private static readonly string Findings = $"""
        WITH b AS (SELECT geom FROM check_boundary),
        f AS (
            SELECT f.id, f.geom, ST_Dimension(f.geom) AS dim,
                   CASE WHEN ST_Dimension(f.geom) = 2 THEN {Sql.Valid("f.geom")} ELSE f.geom END AS g
            FROM features f
            WHERE f.layer_id = @layer AND f.geom IS NOT NULL AND NOT ST_IsEmpty(f.geom)
        ),
        outside AS (
            SELECT f.*,
                   CASE f.dim
                       WHEN 0 THEN ST_Distance(b.geom::geography, f.g::geography)
                       WHEN 1 THEN ST_Length(ST_Difference(f.g, b.geom)::geography) / nullif(ST_Length(f.g::geography), 0)
                       ELSE ST_Area(ST_Difference(f.g, b.geom)::geography) / nullif(ST_Area(f.g::geography), 0)
                   END AS amount
            FROM f, b
            WHERE NOT ST_Covers(b.geom, f.g)
        )
        SELECT o.id AS feature_id, NULL::bigint AS related_feature_id,
               CASE
                   WHEN o.dim = 0 AND ST_X(ST_Centroid(o.g)) = 0 AND ST_Y(ST_Centroid(o.g)) = 0
                       THEN 'lies at null island (0, 0): its coordinates are missing or were written as zero'
                   WHEN o.dim = 0 AND ST_Covers(b.geom, ST_FlipCoordinates(o.g))
                       THEN 'lies ' || {Sql.Distance("o.amount")} || ' outside ' || @city_is || '; with latitude and longitude swapped it falls inside, at '
                            || {Sql.Position("ST_Centroid(ST_FlipCoordinates(o.g))")} || ': the coordinates look swapped'
                   WHEN o.dim = 0 THEN 'lies ' || {Sql.Distance("o.amount")} || ' outside ' || @city_is
                   WHEN o.dim = 1 THEN to_char(100 * o.amount, 'FM990.0') || ' % of its length lies outside ' || @city_is
                   ELSE to_char(100 * o.amount, 'FM990.0') || ' % of its area lies outside ' || @city_is
               END AS detail,
               CASE WHEN o.dim = 0 THEN o.g ELSE ST_Difference(o.g, b.geom) END AS location,
               o.amount AS measure
        FROM outside o, b
        WHERE (o.dim = 0 AND o.amount > 10) OR (o.dim > 0 AND o.amount > 0.01)
        """;

    public override async Task<RuleResult> RunAsync(RuleContext context, CancellationToken cancellationToken)
    {
        if (!context.City.Exists) return RuleResult.NotApplicable("the city has no boundary layer and no ward layer to stand in for one");
        var cityIs = context.City.BoundaryLayer is not null ? "the city boundary" : "the union of the wards (the city has no boundary layer)";
        var counts = await context.StoreAsync(this, Findings, context.Parameters(("city_is", cityIs)), cancellationToken);
        return RuleResult.ByFeatures(counts, context.Layer.FeatureCount);
    }
}
