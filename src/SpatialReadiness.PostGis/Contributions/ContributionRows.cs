using Npgsql;
using SpatialReadiness.Core.Contributions;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.PostGis.Contributions;

/// <summary>Reads contributions with their changes (before and after as GeoJSON and JSON text) and findings.</summary>
internal static class ContributionRows
{
    private const string Select = """
        SELECT c.id, c.layer_id, l.city_id, l.name, c.state, c.channel, a.name, c.organisation_id, c.licence, c.comment, c.source,
               c.reverts, c.created_at, r.name, c.review_note, c.reviewed_at, c.layer_version
        FROM contributions c JOIN layers l ON l.id = c.layer_id JOIN users a ON a.id = c.author_id LEFT JOIN users r ON r.id = c.reviewer_id
        """;

    /// <param name="where">WHERE, ORDER BY and LIMIT over contributions c and layers l, with named parameters.</param>
    public static async Task<List<Contribution>> ReadAsync(NpgsqlConnection connection, string where, IEnumerable<(string Name, object Value)> parameters, CancellationToken cancellationToken)
    {
        var heads = new List<Contribution>();
        await using (var command = Sql.Command(connection, $"{Select} {where}", parameters))
        await using (var r = await command.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken))
            {
                ContributionNames.TryParse<ContributionState>(r.GetString(4), out var state);
                ContributionNames.TryParse<Channel>(r.GetString(5), out var channel);
                heads.Add(new Contribution(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), state, channel, r.GetString(6), Sql.String(r, 7),
                    r.GetString(8), r.GetString(9), Sql.String(r, 10), r.IsDBNull(11) ? null : r.GetInt64(11), r.GetFieldValue<DateTimeOffset>(12),
                    Sql.String(r, 13), Sql.String(r, 14), r.IsDBNull(15) ? null : r.GetFieldValue<DateTimeOffset>(15), r.IsDBNull(16) ? null : r.GetInt32(16), [], []));
            }
        if (heads.Count == 0) return heads;
        var ids = heads.Select(h => h.Id).ToArray();
        var changes = await ChangesAsync(connection, ids, cancellationToken);
        var findings = await FindingsAsync(connection, ids, cancellationToken);
        return heads.Select(h => h with
        {
            Changes = changes.TryGetValue(h.Id, out var c) ? c : [],
            Findings = findings.TryGetValue(h.Id, out var f) ? f : [],
        }).ToList();
    }

    private static async Task<Dictionary<long, List<FeatureChange>>> ChangesAsync(NpgsqlConnection connection, long[] ids, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, """
            SELECT contribution_id, ordinal, action, feature_id, base_version, version,
                   ST_AsGeoJSON(base_geom), base_attributes::text, ST_AsGeoJSON(geom), attributes::text,
                   NOT coalesce(ST_OrderingEquals(base_geom, geom), false)
            FROM contribution_changes WHERE contribution_id = ANY(@ids) ORDER BY contribution_id, ordinal
            """, [("ids", ids)]);
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        var changes = new Dictionary<long, List<FeatureChange>>();
        while (await r.ReadAsync(cancellationToken))
        {
            ContributionNames.TryParse<ChangeAction>(r.GetString(2), out var action);
            int? baseVersion = r.IsDBNull(4) ? null : r.GetInt32(4), version = r.IsDBNull(5) ? null : r.GetInt32(5);
            var change = new FeatureChange(r.GetInt32(1), action, r.IsDBNull(3) ? null : r.GetInt64(3), baseVersion, version,
                action == ChangeAction.Create ? null : new FeatureState(baseVersion, Sql.String(r, 6), Sql.String(r, 7)),
                action == ChangeAction.Delete ? null : new FeatureState(version, Sql.String(r, 8), Sql.String(r, 9))) { GeometryChanged = r.GetBoolean(10) };
            (changes.TryGetValue(r.GetInt64(0), out var list) ? list : changes[r.GetInt64(0)] = []).Add(change);
        }
        return changes;
    }

    private static async Task<Dictionary<long, List<ContributionFinding>>> FindingsAsync(NpgsqlConnection connection, long[] ids, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, """
            SELECT contribution_id, ordinal, rule, severity, detail, ST_AsGeoJSON(location), fields, location_from_fields
            FROM contribution_findings WHERE contribution_id = ANY(@ids) ORDER BY contribution_id, ordinal, severity, rule
            """, [("ids", ids)]);
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        var findings = new Dictionary<long, List<ContributionFinding>>();
        while (await r.ReadAsync(cancellationToken))
            (findings.TryGetValue(r.GetInt64(0), out var list) ? list : findings[r.GetInt64(0)] = [])
                .Add(new ContributionFinding(r.GetInt32(1), r.GetString(2), r.GetString(3), r.GetString(4), Sql.String(r, 5))
                {
                    Basis = new FindingBasis(r.IsDBNull(6) ? null : r.GetFieldValue<string[]>(6), r.GetBoolean(7)),
                });
        return findings;
    }
}
