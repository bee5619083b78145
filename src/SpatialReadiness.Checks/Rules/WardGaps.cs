using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks.Rules;

/// <summary>
/// The land of the city that no ward of the layer covers, cut into pieces and classed once per layer for GAP_SLIVER,
/// COVERAGE_GAP and WARD_NUMBER_MISSING (scratch table check_gaps). Pieces of 1 m² or less are floating-point noise.
/// A piece is, in this order:
/// <list type="bullet">
/// <item><c>declared</c>: at least half of it lies in an exclusion zone the city declared (an exclusion layer): not a gap;</item>
/// <item><c>sliver</c>: the largest circle inside it has a radius under 5 m (a digitising error, not a place);</item>
/// <item><c>hole</c>: under 1 ha: too small to be a cantonment, airport or lake;</item>
/// <item><c>candidate</c>: at least 5 ha, 100 m across and compact (4πA/P² ≥ 0.2): possibly land outside ward
/// administration, offered to the city to declare, and scored as a coverage gap until it does;</item>
/// <item><c>coverage</c>: any other land in the city outside every ward (missing wards, a boundary drawn apart).</item>
/// </list>
/// </summary>
public static class WardGaps
{
    public const double HoleM2 = 10_000;
    public const double CandidateM2 = 50_000;

    private static readonly string Build = $"""
        DROP TABLE IF EXISTS check_gaps;
        CREATE TEMP TABLE check_gaps AS
        WITH covered AS (
            SELECT ST_Union({Sql.Valid("f.geom")}) AS g FROM features f WHERE f.layer_id = @layer AND ST_Dimension(f.geom) = 2
        ),
        pieces AS (
            SELECT (ST_Dump(ST_CollectionExtract(coalesce(ST_Difference(b.geom, c.g), b.geom), 3))).geom AS g
            FROM check_boundary b, covered c WHERE b.geom IS NOT NULL
        ),
        measured AS (
            SELECT g, ST_Area(g::geography) AS area, ST_Perimeter(g::geography) AS perimeter,
                   (ST_MaximumInscribedCircle(ST_Transform(g, @utm))).radius AS radius
            FROM pieces
        )
        SELECT row_number() OVER (ORDER BY area DESC) AS gap_id, m.g, m.area, m.radius,
               4 * pi() * m.area / nullif(m.perimeter * m.perimeter, 0) AS compactness,
               x.reason, coalesce(x.share, 0) AS declared_share, @layer::bigint AS layer_id, NULL::text AS class
        FROM measured m
        LEFT JOIN LATERAL (
            SELECT string_agg(DISTINCT e.reason, '; ') AS reason,
                   ST_Area(ST_Intersection(ST_Union(e.geom), m.g)::geography) / nullif(m.area, 0) AS share
            FROM check_exclusions e WHERE ST_Intersects(e.geom, m.g)
        ) x ON true
        WHERE m.area > 1;
        UPDATE check_gaps SET class = CASE
            WHEN declared_share >= 0.5 THEN 'declared'
            WHEN radius < 5 THEN 'sliver'
            WHEN area < {HoleM2} THEN 'hole'
            WHEN area >= {CandidateM2} AND radius >= 50 AND compactness >= 0.2 THEN 'candidate'
            ELSE 'coverage' END;
        CREATE INDEX ON check_gaps USING gist (g);
        ANALYZE check_gaps
        """;

    private const string Empty = """
        DROP TABLE IF EXISTS check_gaps;
        CREATE TEMP TABLE check_gaps (gap_id bigint, g geometry, area double precision, radius double precision, compactness double precision,
                                      reason text, declared_share double precision, layer_id bigint, class text)
        """;

    /// <summary>Builds check_gaps for the context's layer unless the run already has it.</summary>
    public static async Task EnsureAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var exists = await context.Database.QueryAsync("SELECT to_regclass('pg_temp.check_gaps') IS NOT NULL", context.Parameters(), cancellationToken);
        if (exists[0][0] is true
            && (await context.Database.QueryAsync("SELECT EXISTS (SELECT 1 FROM check_gaps WHERE layer_id = @layer)", context.Parameters(), cancellationToken))[0][0] is true)
            return;
        await context.Database.ExecuteAsync(context.City.Exists ? Build : Empty, context.Parameters(), cancellationToken);
    }

    /// <summary>
    /// "between wards 12, 13, 40": the layer's features sharing an edge with the gap (within about a metre, along more
    /// than about 2 m: wards touching it only at a corner are not its neighbours), by label.
    /// </summary>
    public static readonly string Neighbours = $"""
        (SELECT CASE WHEN count(*) = 0 THEN NULL
                     WHEN count(*) = 1 THEN 'next to ward ' || min(n.label)
                     ELSE 'between wards ' || string_agg(n.label, ', ' ORDER BY n.label) END
         FROM (SELECT DISTINCT {Sql.Label("f")} AS label FROM features f
               WHERE f.layer_id = @layer AND f.geom && ST_Expand(gp.g, 0.00001) AND ST_DWithin(f.geom, gp.g, 0.00001)
                 AND ST_Area(ST_Intersection({Sql.Valid("f.geom")}, ST_Buffer(gp.g, 0.00001))) > 2e-10
               LIMIT 12) n)
        """;

    /// <summary>The declared exclusion zones and the candidates of the last layer built (count, m² each).</summary>
    public static async Task<(int Declared, double DeclaredM2, int Candidates, double CandidatesM2)> ZonesAsync(ICheckDatabase database, CancellationToken cancellationToken)
    {
        var row = (await database.QueryAsync("""
            SELECT count(*) FILTER (WHERE class = 'declared'), coalesce(sum(area) FILTER (WHERE class = 'declared'), 0),
                   count(*) FILTER (WHERE class = 'candidate'), coalesce(sum(area) FILTER (WHERE class = 'candidate'), 0)
            FROM check_gaps
            """, new Dictionary<string, object?>(), cancellationToken))[0];
        return (Convert.ToInt32(row[0]), (double)row[1]!, Convert.ToInt32(row[2]), (double)row[3]!);
    }
}
