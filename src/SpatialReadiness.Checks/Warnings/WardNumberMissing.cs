using SpatialReadiness.Checks.Rules;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks.Warnings;

/// <summary>
/// WARD_NUMBER_MISSING (warning): a number missing from a ward layer numbered 1..N ("ward 42 is not in the layer"),
/// an omission a city can check against its notified ward list. Judged only when the layer is a series: at least 5
/// numbered wards, at least 80 % of the wards numbered (keys read by sr_ward_key, so "Ward-07" is 7), and N at most
/// twice the wards present. When a gap in the coverage (not a sliver) touches ward n-1 or n+1, the finding says so
/// and is placed there: that is where the missing ward most likely lies.
/// </summary>
public sealed class WardNumberMissing : Rule
{
    public override string Code => "WARD_NUMBER_MISSING";
    public override string Title => "Ward number missing from the series";
    public override Severity Severity => Severity.Warning;

    public override bool AppliesTo(LayerKind kind) => kind == LayerKind.Ward;

    // The ward numbers (the id field) and the geometry.
    public override FindingBasis Basis(CheckedLayer layer) => FindingBasis.Of(layer.IdField);

    private static readonly string Findings = $"""
        WITH k AS (
            SELECT f.id, f.geom, {Sql.WardKey("f.attributes ->> @id_field")} AS key FROM features f WHERE f.layer_id = @layer
        ),
        numbered AS (SELECT id, geom, key::int AS n FROM k WHERE key ~ '^[0-9]+$' AND length(key) <= 5),
        series AS (
            SELECT count(DISTINCT n) AS present, max(n) AS top FROM numbered
            HAVING count(DISTINCT n) >= 5 AND count(DISTINCT n) >= 0.8 * (SELECT count(*) FROM k) AND max(n) <= 2 * count(DISTINCT n)
        ),
        missing AS (
            SELECT s.n, series.top FROM series, generate_series(1, series.top) s(n)
            WHERE NOT EXISTS (SELECT 1 FROM numbered WHERE numbered.n = s.n)
        )
        SELECT NULL::bigint AS feature_id, NULL::bigint AS related_feature_id,
               'ward ' || m.n || ' is not in the layer, whose wards are numbered 1 to ' || m.top
               || coalesce('; ' || {Sql.Area("near.area")} || ' of the city next to ward ' || near.neighbour || ' lies in no ward', '') AS detail,
               near.g AS location, NULL::double precision AS measure
        FROM missing m
        LEFT JOIN LATERAL (
            SELECT gp.g, gp.area, nb.n AS neighbour FROM check_gaps gp JOIN numbered nb ON nb.n IN (m.n - 1, m.n + 1)
            WHERE gp.layer_id = @layer AND gp.class <> 'sliver' AND gp.g && ST_Expand(nb.geom, 0.00001) AND ST_DWithin(gp.g, nb.geom, 0.00001)
            ORDER BY gp.area DESC LIMIT 1
        ) near ON true
        """;

    public override async Task<RuleResult> RunAsync(RuleContext context, CancellationToken cancellationToken)
    {
        if (context.Layer.IdField is null) return RuleResult.NotApplicable("the layer has no ward number field");
        await WardGaps.EnsureAsync(context, cancellationToken);
        var counts = await context.StoreAsync(this, Findings, context.Parameters(), cancellationToken);
        return RuleResult.ByFeatures(counts, context.Layer.FeatureCount);
    }
}
