using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks.Rules;

/// <summary>
/// GEOM_INVALID: a feature with no geometry, an empty one, or one that is not valid in the OGC Simple Features sense
/// as GEOS judges it (the engine QGIS's "Check validity", GDAL and shapely use): self-intersections, ring
/// self-intersections, holes outside shells, too few points. Invalid geometry breaks areas, overlays and joins, so
/// every later rule is less trustworthy on it. The detail gives GEOS's reason and place, and what a repair with
/// ST_MakeValid(method=structure) would do to its area; the stored feature is never changed silently.
/// </summary>
public sealed class GeometryInvalid : Rule
{
    public override string Code => "GEOM_INVALID";
    public override string Title => "Missing or invalid geometry";
    public override double Weight => 15;
    public override double Tolerance => 0.05;

    public override bool AppliesTo(LayerKind kind) => true;

    // Built from the geometry alone.
    public override FindingBasis Basis(CheckedLayer layer) => FindingBasis.Geometry;

    private static readonly string Findings = $"""
        WITH bad AS (
            SELECT f.id, f.geom FROM features f
            WHERE f.layer_id = @layer AND (f.geom IS NULL OR ST_IsEmpty(f.geom) OR NOT ST_IsValid(f.geom))
        ),
        described AS (
            SELECT bad.id, bad.geom, d.reason, d.location,
                   CASE WHEN ST_Dimension(bad.geom) = 2 THEN ST_Area(bad.geom::geography) END AS area_before,
                   CASE WHEN ST_Dimension(bad.geom) = 2 THEN ST_Area(ST_MakeValid(bad.geom, 'method=structure')::geography) END AS area_after
            FROM bad LEFT JOIN LATERAL ST_IsValidDetail(bad.geom) d ON bad.geom IS NOT NULL AND NOT ST_IsEmpty(bad.geom)
        )
        SELECT id AS feature_id, NULL::bigint AS related_feature_id,
               CASE
                   WHEN geom IS NULL THEN 'has no geometry'
                   WHEN ST_IsEmpty(geom) THEN 'has an empty geometry'
                   ELSE 'is not valid: ' || coalesce(reason, 'invalid')
                        || coalesce(' at ' || {Sql.Position("location")}, '')
                        || coalesce('; repaired with ST_MakeValid (structure) its area would go from '
                                    || {Sql.Area("area_before")} || ' to ' || {Sql.Area("area_after")}, '')
               END AS detail,
               coalesce(location, ST_Centroid(geom)) AS location,
               NULL::double precision AS measure
        FROM described
        """;

    public override async Task<RuleResult> RunAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var counts = await context.StoreAsync(this, Findings, context.Parameters(), cancellationToken);
        return RuleResult.ByFeatures(counts, context.Layer.FeatureCount);
    }
}
