using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks.Rules;

/// <summary>
/// AREA_IMPLAUSIBLE: a ward under 0.01 km² or over 200 km², or a slum under 25 m² or over 2 km² (measured on the
/// spheroid). Such sizes are almost always a unit or digitising error: a collapsed polygon, a whole zone drawn as
/// one slum, a ward in the wrong CRS.
/// </summary>
public sealed class AreaImplausible : Rule
{
    public override string Code => "AREA_IMPLAUSIBLE";
    public override string Title => "Implausible area";
    public override double Weight => 5;
    public override double Tolerance => 0.05;

    public override bool AppliesTo(LayerKind kind) => kind is LayerKind.Ward or LayerKind.Slum;

    // Built from the geometry alone.
    public override FindingBasis Basis(CheckedLayer layer) => FindingBasis.Geometry;

    private static readonly string Findings = $"""
        WITH a AS (
            SELECT f.id, f.geom, ST_Area({Sql.Valid("f.geom")}::geography) AS area
            FROM features f WHERE f.layer_id = @layer AND ST_Dimension(f.geom) = 2
        )
        SELECT id AS feature_id, NULL::bigint AS related_feature_id,
               'its area of ' || {Sql.Area("area")} || ' is ' || CASE WHEN area < @min THEN 'under ' || {Sql.Area("@min")} ELSE 'over ' || {Sql.Area("@max")} END
               || ', implausible for a ' || @kind AS detail,
               ST_Centroid(geom) AS location, area AS measure
        FROM a WHERE area < @min OR area > @max
        """;

    public override async Task<RuleResult> RunAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var (min, max) = context.Layer.Kind == LayerKind.Ward ? (0.01e6, 200e6) : (25.0, 2e6);
        var counts = await context.StoreAsync(this, Findings, context.Parameters(("min", min), ("max", max), ("kind", context.Layer.Kind.ToName())), cancellationToken);
        return RuleResult.ByFeatures(counts, context.Layer.FeatureCount);
    }
}
