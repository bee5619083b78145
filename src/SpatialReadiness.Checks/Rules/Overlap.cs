using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks.Rules;

/// <summary>
/// OVERLAP: two wards (or two slums, or two buildings) of one layer sharing more than 1 m² of area. Wards must partition the city, so
/// an overlap puts households, assets and budgets in two wards at once; overlapping slums are counted twice.
/// Interiors must intersect (touching edges are fine); the area is measured on the spheroid. One finding per pair,
/// located at the shared area; both features count as offending. Scored by area share, so the cost fits the size of
/// the defect: the error rate is the overlapping area over the layer's area, and all credit is lost at 1 % (six
/// overlaps of a few m² on a city's wards cost next to nothing; a ward drawn twice costs the lot).
/// </summary>
public sealed class Overlap : Rule
{
    public override string Code => "OVERLAP";
    public override string Title => "Overlapping polygons";
    public override double Weight => 5;
    public override double Tolerance => 0.01;

    public override bool AppliesTo(LayerKind kind) => kind is LayerKind.Ward or LayerKind.Slum or LayerKind.Building;

    // The detail names the other feature by its id attribute.
    public override FindingBasis Basis(CheckedLayer layer) => FindingBasis.Of(layer.IdField);

    private static readonly string Findings = $"""
        WITH pairs AS (
            SELECT a.id AS a_id, b.id AS b_id, {Sql.Label("a")} AS a_label, {Sql.Label("b")} AS b_label,
                   {Sql.Valid("a.geom")} AS a_geom, {Sql.Valid("b.geom")} AS b_geom
            FROM features a JOIN features b ON b.layer_id = @layer AND a.id < b.id AND a.geom && b.geom
            WHERE a.layer_id = @layer AND ST_Dimension(a.geom) = 2 AND ST_Dimension(b.geom) = 2
        ),
        shared AS (
            SELECT a_id, b_id, a_label, b_label, ST_CollectionExtract(ST_Intersection(a_geom, b_geom), 3) AS g
            FROM pairs WHERE ST_Relate(a_geom, b_geom, '2********')
        ),
        measured AS (SELECT *, ST_Area(g::geography) AS area FROM shared)
        SELECT a_id AS feature_id, b_id AS related_feature_id,
               a_label || ' and ' || b_label || ' overlap by ' || {Sql.Area("area")} AS detail,
               g AS location, area AS measure
        FROM measured WHERE area > 1
        """;

    private static readonly string LayerArea = $"""
        SELECT coalesce(sum(ST_Area({Sql.Valid("f.geom")}::geography)), 0) FROM features f WHERE f.layer_id = @layer AND ST_Dimension(f.geom) = 2
        """;

    public override async Task<RuleResult> RunAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var counts = await context.StoreAsync(this, Findings, context.Parameters(), cancellationToken);
        var area = (await context.Database.QueryAsync(LayerArea, context.Parameters(), cancellationToken))[0][0] as double? ?? 0;
        return RuleResult.ByArea(counts, context.Layer.FeatureCount, area, counts.Measure, "scored by area: overlapping area over the layer's area");
    }
}
