using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks.Rules;

/// <summary>
/// WARD_MISMATCH: a slum (or building) with more than 1 % of its area in a second ward (ward-wise planning and budgets cannot
/// place it), or a slum or asset whose ward number attribute names a ward it does not lie in (the attribute and the
/// map disagree, so ward reports are wrong). A slum's ward is the one holding most of its area; an asset's is any
/// ward containing it. Compared with the city's reference ward layer; ward numbers match as people write them
/// ("07" = "7"). A ward office lying outside the ward it serves is common and lawful, so it is a warning
/// (WARD_OFFICE_ELSEWHERE), not an error.
/// </summary>
public sealed class WardMismatch : Rule
{
    public const string OfficeElsewhere = "WARD_OFFICE_ELSEWHERE";

    public override string Code => "WARD_MISMATCH";
    public override string Title => "Not in its ward";
    public override double Weight => 10;
    public override double Tolerance => 0.10;

    public override bool AppliesTo(LayerKind kind) => kind is LayerKind.Slum or LayerKind.Building or LayerKind.Asset;

    // The detail quotes the ward number attribute; the asset type decides whether it is a ward office.
    public override FindingBasis Basis(CheckedLayer layer) => FindingBasis.Of(layer.Mapping.Source("ward_no"), layer.Mapping.Source("asset_type"));

    // Driven from the wards, as for points below: each ward's geometry is prepared once (GEOS) for every shape it meets,
    // where a join driven from the shapes tests each pair unprepared. A shape's share of a ward is 1 when the ward
    // covers it, else measured. Only shapes meeting several wards are ranked (ordered aggregates cost a sort per
    // group: a million buildings in one ward each would pay a million). Flagged shapes are read again for their location.
    private static readonly string Slums = $"""
        WITH shares AS (
            SELECT * FROM (
                SELECT p.id, p.declared, w.ward_no, w.ward_key, w.label,
                       CASE WHEN ST_Covers(w.geom, p.g) THEN 1.0
                            ELSE ST_Area(ST_Intersection(p.g, w.geom)::geography) / nullif(ST_Area(p.g::geography), 0) END AS share
                FROM check_wards w
                CROSS JOIN LATERAL (
                    SELECT f.id, v.g, f.attributes ->> @ward_field AS declared
                    FROM features f CROSS JOIN LATERAL (SELECT {Sql.Valid("f.geom")} AS g) v
                    WHERE f.layer_id = @layer AND ST_Dimension(f.geom) = 2 AND f.geom && w.geom AND ST_Intersects(w.geom, v.g)
                    OFFSET 0 -- keeps the planner from flattening this and driving from the shapes after all
                ) p
            ) s WHERE share > 0
        ),
        grouped AS (
            SELECT id, min(declared) AS declared, count(*) AS meets, min(label) AS only_label, min(ward_no) AS only_ward, min(ward_key) AS only_key,
                   count(*) FILTER (WHERE share > 0.01) AS wards_over_1pc
            FROM shares GROUP BY id
        ),
        ranked AS (
            SELECT s.id,
                   (array_agg(s.label ORDER BY s.share DESC, s.label))[1] AS main_label,
                   (array_agg(s.ward_no ORDER BY s.share DESC, s.label))[1] AS main_ward,
                   (array_agg(s.ward_key ORDER BY s.share DESC, s.label))[1] AS main_key,
                   string_agg(to_char(100 * s.share, 'FM990.0') || ' % in ward ' || s.label, ', ' ORDER BY s.share DESC, s.label) AS split
            FROM shares s JOIN grouped g ON g.id = s.id AND g.meets > 1
            GROUP BY s.id
        ),
        judged AS (
            SELECT g.id, g.declared, coalesce(r.main_label, g.only_label) AS main_label, coalesce(r.main_ward, g.only_ward) AS main_ward,
                   coalesce(r.main_key, g.only_key) AS main_key, r.split, g.wards_over_1pc
            FROM grouped g LEFT JOIN ranked r ON r.id = g.id
        ),
        -- The ward number names another ward. The same text names the same ward: sr_ward_key (a dozen regular
        -- expressions) runs only when the texts differ.
        flagged AS (
            SELECT *, main_ward IS NOT NULL AND btrim(declared) IS DISTINCT FROM main_ward AND {Sql.WardKey("declared")} <> main_key AS elsewhere
            FROM judged
        )
        SELECT j.id AS feature_id, NULL::bigint AS related_feature_id,
               concat_ws('; ',
                   CASE WHEN j.wards_over_1pc > 1 THEN 'spans ' || j.wards_over_1pc || ' wards: ' || j.split END,
                   CASE WHEN j.elsewhere THEN 'its ward number says ' || btrim(j.declared) || ', but it lies in ward ' || j.main_label END) AS detail,
               ST_Centroid({Sql.Valid("f.geom")}) AS location, NULL::double precision AS measure
        FROM flagged j JOIN features f ON f.layer_id = @layer AND f.id = j.id
        WHERE j.wards_over_1pc > 1 OR j.elsewhere
        """;

    // Driven from the wards so each ward's geometry is prepared once for all the points inside it; kept in a scratch
    // table because errors and ward-office warnings are read from it separately.
    private static readonly string PlacePoints = $"""
        DROP TABLE IF EXISTS check_misplaced;
        CREATE TEMP TABLE check_misplaced AS
        SELECT p.id, p.geom, p.declared, p.is_office, w.label
        FROM check_wards w
        CROSS JOIN LATERAL (
            SELECT f.id, f.geom, f.attributes ->> @ward_field AS declared,
                   coalesce(lower(btrim(f.attributes ->> @type_field)) = ANY (@office_types::text[]), false) OR @layer_is_offices AS is_office
            FROM features f
            WHERE f.layer_id = @layer AND ST_Intersects(w.geom, f.geom)
              AND nullif(btrim(f.attributes ->> @ward_field), '') IS NOT NULL
              AND {Sql.WardKey("f.attributes ->> @ward_field")} <> w.ward_key
        ) p
        """;

    private static readonly string Misplaced = $"""
        SELECT p.id AS feature_id, NULL::bigint AS related_feature_id,
               CASE WHEN p.is_office THEN 'this ward office' ELSE 'its ward number' END || ' says ' || btrim(p.declared)
                   || ', but it lies in ward ' || p.label AS detail,
               p.geom AS location, NULL::double precision AS measure
        FROM check_misplaced p
        WHERE p.is_office = @offices
          AND NOT EXISTS (SELECT 1 FROM check_wards w2 WHERE w2.ward_key = {Sql.WardKey("p.declared")} AND ST_Intersects(w2.geom, p.geom))
        """;

    public override async Task<RuleResult> RunAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var layer = context.Layer;
        if (context.City.Wards is null) return RuleResult.NotApplicable("the city has no ward layer to compare with");
        var wardField = layer.Mapping.Source("ward_no");
        if (layer.Kind is LayerKind.Slum or LayerKind.Building)
        {
            var counts = await context.StoreAsync(this, Slums, context.Parameters(("ward_field", wardField)), cancellationToken);
            return RuleResult.ByFeatures(counts, layer.FeatureCount, wardField is null ? "no ward number field: only wards spanned were checked" : null);
        }
        if (wardField is null) return RuleResult.NotApplicable("the layer has no ward number field to compare (ATTR_MISSING counts it)");

        var officeTypes = LayerSchema.For(LayerKind.Asset)!.Themes!["ward_office"].ToArray();
        var layerIsOffices = officeTypes.Any(t => (layer.Name + " " + layer.Title).Replace('-', ' ').Replace('_', ' ').Contains(t, StringComparison.OrdinalIgnoreCase));
        await context.Database.ExecuteAsync(PlacePoints, context.Parameters(
            ("ward_field", wardField), ("type_field", layer.Mapping.Source("asset_type")),
            ("office_types", officeTypes), ("layer_is_offices", layerIsOffices)), cancellationToken);
        var errors = await context.StoreAsync(this, Misplaced, context.Parameters(("offices", false)), cancellationToken);
        await context.StoreAsync(OfficeElsewhere, Severity.Warning, Misplaced, context.Parameters(("offices", true)), cancellationToken, Basis(layer));
        return RuleResult.ByFeatures(errors, layer.FeatureCount);
    }
}
