using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks.Rules;

/// <summary>
/// GAP_SLIVER: thin gaps between wards, or between the wards and the city boundary — land that belongs to no ward.
/// A gap is thin when the largest circle inside it has a radius under 5 m (measured in the city's UTM zone): that is
/// a digitising error, not a place. Scored by area: the error rate is the thin gaps' area over the city's area, and
/// all credit is lost at 0.1 %. Gaps under 1 m² are floating-point noise and ignored. Larger, compact holes
/// (cantonments, airports, lakes) are recorded as EXCLUSION_ZONE (info), not errors, for a person to confirm.
/// </summary>
public sealed class GapSliver : Rule
{
    public const string ExclusionZone = "EXCLUSION_ZONE";

    public override string Code => "GAP_SLIVER";
    public override string Title => "Gaps and slivers between wards";
    public override double Weight => 5;
    public override double Tolerance => 0.001;

    public override bool AppliesTo(LayerKind kind) => kind == LayerKind.Ward;

    // Built from the geometry alone.
    public override FindingBasis Basis(CheckedLayer layer) => FindingBasis.Geometry;

    private static readonly string FindGaps = $"""
        DROP TABLE IF EXISTS check_gaps;
        CREATE TEMP TABLE check_gaps AS
        WITH covered AS (
            SELECT ST_Union({Sql.Valid("f.geom")}) AS g FROM features f WHERE f.layer_id = @layer AND ST_Dimension(f.geom) = 2
        ),
        gaps AS (
            SELECT (ST_Dump(ST_CollectionExtract(ST_Difference(b.geom, c.g), 3))).geom AS g FROM check_boundary b, covered c
        )
        SELECT g, ST_Area(g::geography) AS area,
               (ST_MaximumInscribedCircle(ST_Transform(g, @utm))).radius AS radius
        FROM gaps;
        DELETE FROM check_gaps WHERE area <= 1
        """;

    private static readonly string ThinGaps = $"""
        SELECT NULL::bigint AS feature_id, NULL::bigint AS related_feature_id,
               'a gap of ' || {Sql.Area("area")} || ', at most ' || to_char(2 * radius, 'FM9990.0') || ' m wide, belongs to no ward' AS detail,
               g AS location, area AS measure
        FROM check_gaps WHERE radius < 5
        """;

    private static readonly string Holes = $"""
        SELECT NULL::bigint AS feature_id, NULL::bigint AS related_feature_id,
               'a hole of ' || {Sql.Area("area")} || ' in the ward coverage, up to ' || to_char(2 * radius, 'FM999990') || ' m across: '
               || 'taken as an exclusion zone (cantonment, airport, lake), not an error; confirm it' AS detail,
               g AS location, area AS measure
        FROM check_gaps WHERE radius >= 5
        """;

    /// <summary>The exclusion zones the last run of this rule found (count, m²).</summary>
    public static async Task<(int Count, double AreaM2)> ExclusionZonesAsync(ICheckDatabase database, CancellationToken cancellationToken)
    {
        var row = (await database.QueryAsync("SELECT count(*), coalesce(sum(area), 0) FROM check_gaps WHERE radius >= 5",
            new Dictionary<string, object?>(), cancellationToken))[0];
        return (Convert.ToInt32(row[0]), (double)row[1]!);
    }

    public override async Task<RuleResult> RunAsync(RuleContext context, CancellationToken cancellationToken)
    {
        if (!context.City.Exists) return RuleResult.NotApplicable("the city has no boundary to measure gaps against");
        var parameters = context.Parameters();
        await context.Database.ExecuteAsync(FindGaps, parameters, cancellationToken);
        var thin = await context.StoreAsync(this, ThinGaps, parameters, cancellationToken);
        await context.StoreAsync(ExclusionZone, Severity.Info, Holes, parameters, cancellationToken, FindingBasis.Geometry);
        return new RuleResult(true, "population and offending are areas in m²", context.City.AreaM2, thin.Measure, thin.Rows);
    }
}
