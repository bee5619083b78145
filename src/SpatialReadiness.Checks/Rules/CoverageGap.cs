using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks.Rules;

/// <summary>
/// COVERAGE_GAP: land inside the city that lies outside every ward and is not a sliver or small hole (GAP_SLIVER) nor
/// in an exclusion zone the city declared: missing wards, or wards and boundary drawn apart. Households, assets and
/// budgets there belong to no ward. Scored by area share: the error rate is that land's area over the city's area, and
/// all credit is lost at 5 % (each 1 % of the city costs a fifth of the weight). A large compact piece (at least 5 ha
/// and 100 m across) may be a cantonment, airport or lake: its finding says so and how to declare it, and it is
/// scored until declared (an <c>exclusion</c> layer with a reason per zone).
/// </summary>
public sealed class CoverageGap : Rule
{
    public override string Code => "COVERAGE_GAP";
    public override string Title => "City land outside every ward";
    public override double Weight => 5;
    public override double Tolerance => 0.05;

    public override bool AppliesTo(LayerKind kind) => kind == LayerKind.Ward;

    // The geometry, and the neighbouring wards' labels (their id field) in the detail.
    public override FindingBasis Basis(CheckedLayer layer) => FindingBasis.Of(layer.IdField);

    private static readonly string Findings = $"""
        SELECT NULL::bigint AS feature_id, NULL::bigint AS related_feature_id,
               {Sql.Area("gp.area")} || ' of the city (' || @city_source || ')' || coalesce(' ' || {WardGaps.Neighbours}, '')
               || ' lies outside every ward, ' || to_char(100 * gp.area / @city_area, 'FM990.00') || ' % of the city'
               || CASE WHEN gp.class = 'candidate'
                       THEN '; it is large and compact (up to ' || to_char(2 * gp.radius, 'FM999990') || ' m across): if it is a cantonment, '
                            || 'airport, lake or other land outside ward administration, declare it in an exclusion layer with the reason '
                            || 'and it stops counting'
                       ELSE '' END AS detail,
               gp.g AS location, gp.area AS measure
        FROM check_gaps gp WHERE gp.class IN ('coverage', 'candidate')
        """;

    public override async Task<RuleResult> RunAsync(RuleContext context, CancellationToken cancellationToken)
    {
        if (!context.City.Exists) return RuleResult.NotApplicable("the city has no boundary to measure coverage against");
        await WardGaps.EnsureAsync(context, cancellationToken);
        var counts = await context.StoreAsync(this, Findings,
            context.Parameters(("city_source", context.City.Source), ("city_area", context.City.AreaM2)), cancellationToken);
        return RuleResult.ByArea(counts, context.Layer.FeatureCount, context.City.AreaM2, counts.Measure,
            "scored by area: land outside every ward over the city's area");
    }
}
