using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks.Rules;

/// <summary>
/// GEOM_INVALID: a feature with no geometry, an empty one, or one that is not valid in the OGC Simple Features sense
/// as GEOS judges it (the engine QGIS's "Check validity", GDAL and shapely use): self-intersections, ring
/// self-intersections, holes outside shells, too few points. Invalid geometry breaks areas, overlays and joins, so
/// every later rule is less trustworthy on it. The detail gives GEOS's reason and place, and what a repair with
/// ST_MakeValid(method=structure) would do to its area; the stored feature is never changed silently. A geometry the
/// import had to make storable (a ring left open, closed by repeating its first vertex; a ring with too few points)
/// is in error too, with what was wrong as written (features.geometry_note), even when the stored shape is valid.
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

    // A repair is worth a sentence only when it changes something a reader would notice: the area by more than 1 m²
    // and 0.01 %, or a polygon that falls apart into several.
    private static readonly string Findings = $"""
        WITH bad AS (
            SELECT f.id, f.geom, f.geometry_note FROM features f
            WHERE f.layer_id = @layer AND (f.geom IS NULL OR ST_IsEmpty(f.geom) OR f.geometry_note IS NOT NULL OR NOT ST_IsValid(f.geom))
        ),
        described AS (
            SELECT bad.id, bad.geom, bad.geometry_note, d.valid, d.reason, d.location,
                   CASE WHEN ST_Dimension(bad.geom) = 2 AND NOT d.valid THEN ST_Area(bad.geom::geography) END AS area_before,
                   CASE WHEN ST_Dimension(bad.geom) = 2 AND NOT d.valid THEN ST_Area(ST_MakeValid(bad.geom, 'method=structure')::geography) END AS area_after,
                   CASE WHEN ST_Dimension(bad.geom) = 2 AND NOT d.valid THEN ST_NumGeometries(ST_MakeValid(bad.geom, 'method=structure')) END AS parts_after,
                   ST_NumGeometries(bad.geom) AS parts_before
            FROM bad LEFT JOIN LATERAL ST_IsValidDetail(bad.geom) d ON bad.geom IS NOT NULL AND NOT ST_IsEmpty(bad.geom)
        )
        SELECT id AS feature_id, NULL::bigint AS related_feature_id,
               concat_ws('; ',
                   CASE WHEN geometry_note IS NOT NULL THEN 'as written in the file: ' || geometry_note END,
                   CASE
                       WHEN geom IS NULL AND geometry_note IS NULL THEN 'has no geometry'
                       WHEN geom IS NULL THEN NULL
                       WHEN ST_IsEmpty(geom) THEN 'has an empty geometry'
                       WHEN NOT valid THEN 'is not valid: ' || coalesce(reason, 'invalid')
                            || coalesce(' at ' || {Sql.Position("location")}, '')
                            || CASE
                                   WHEN area_before IS NULL OR greatest(area_before, area_after) < 1 THEN ''
                                   WHEN abs(area_after - area_before) > greatest(1, 0.0001 * area_before)
                                       THEN '; ST_MakeValid (structure) would make its area ' || {Sql.Area("area_after")}
                                            || ' instead of ' || {Sql.Area("area_before")}
                                   WHEN parts_after > parts_before
                                       THEN '; ST_MakeValid (structure) would split it into ' || parts_after || ' parts of the same total area'
                                   ELSE '; ST_MakeValid (structure) repairs it without changing its area'
                               END
                   END) AS detail,
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
