using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks.Rules;

/// <summary>
/// GAP_SLIVER: slivers and small holes between wards, or between the wards and the city boundary: land that belongs
/// to no ward because of how the wards were drawn. A sliver is a gap whose largest inside circle has a radius under
/// 5 m; a small hole is any other gap under 1 ha, too small to be a cantonment, airport or lake (classes: see
/// <see cref="WardGaps"/>). Scored by area share: the error rate is their area over the city's area, and all credit
/// is lost at 0.1 %. Larger land outside every ward is COVERAGE_GAP's; declared exclusion zones are recorded as
/// EXCLUSION_ZONE (info) and cost nothing.
/// </summary>
public sealed class GapSliver : Rule
{
    public const string ExclusionZone = "EXCLUSION_ZONE";

    public override string Code => "GAP_SLIVER";
    public override string Title => "Slivers and small holes between wards";
    public override double Weight => 5;
    public override double Tolerance => 0.001;

    public override bool AppliesTo(LayerKind kind) => kind == LayerKind.Ward;

    // The geometry, and the neighbouring wards' labels (their id field) in the detail.
    public override FindingBasis Basis(CheckedLayer layer) => FindingBasis.Of(layer.IdField);

    private static readonly string Gaps = $"""
        SELECT NULL::bigint AS feature_id, NULL::bigint AS related_feature_id,
               CASE WHEN gp.class = 'sliver'
                    THEN 'a sliver of ' || {Sql.Area("gp.area")} || ', at most ' || to_char(2 * gp.radius, 'FM9990.0') || ' m wide'
                    ELSE 'a hole of ' || {Sql.Area("gp.area")} || ' (under 1 ha)' END
               || coalesce(' ' || {WardGaps.Neighbours}, '') || ' belongs to no ward' AS detail,
               gp.g AS location, gp.area AS measure
        FROM check_gaps gp WHERE gp.class IN ('sliver', 'hole')
        """;

    private static readonly string Declared = $"""
        SELECT NULL::bigint AS feature_id, NULL::bigint AS related_feature_id,
               'land of ' || {Sql.Area("gp.area")} || coalesce(' ' || {WardGaps.Neighbours}, '') || ' lies in no ward and in a declared exclusion zone ('
               || gp.reason || '): not a gap' AS detail,
               gp.g AS location, gp.area AS measure
        FROM check_gaps gp WHERE gp.class = 'declared'
        """;

    public override async Task<RuleResult> RunAsync(RuleContext context, CancellationToken cancellationToken)
    {
        if (!context.City.Exists) return RuleResult.NotApplicable("the city has no boundary to measure gaps against");
        await WardGaps.EnsureAsync(context, cancellationToken);
        var parameters = context.Parameters();
        var gaps = await context.StoreAsync(this, Gaps, parameters, cancellationToken);
        await context.StoreAsync(ExclusionZone, Severity.Info, Declared, parameters, cancellationToken, Basis(context.Layer));
        return RuleResult.ByArea(gaps, context.Layer.FeatureCount, context.City.AreaM2, gaps.Measure,
            "scored by area: slivers and small holes over the city's area");
    }
}
