using System.Runtime.CompilerServices;
using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.PostGis.Readiness;

/// <summary>
/// Which findings of a run to read; null filters match everything. <paramref name="Revealed"/>: the layers whose
/// sensitive data the reader may see (FindingView); none by default.
/// </summary>
public sealed record FindingQuery(Guid RunId, string? Rule = null, string? Layer = null, Severity? Severity = null, int Limit = 10_000, long Offset = 0,
    IReadOnlyList<long>? Revealed = null);

/// <summary>
/// Reads a run's findings, most severe first (gate, error, warning, info), then by rule, layer and feature, each
/// rendered for the reader (FindingView): findings of sensitive layers only for those allowed them, and nothing built
/// from a sensitive field for anyone else.
/// </summary>
public sealed class Findings(NpgsqlDataSource dataSource)
{
    private static readonly string Where = $"""
        FROM findings f JOIN layers l ON l.id = f.layer_id
        WHERE f.run_id = $1 AND {FindingView.Visible("$7")}
          AND ($2::text IS NULL OR f.rule = $2) AND ($3::text IS NULL OR l.name = $3) AND ($4::text IS NULL OR f.severity = $4)
        """;

    private const string Order = """
        ORDER BY array_position(ARRAY['gate', 'error', 'warning', 'info'], f.severity), f.rule, l.name, f.feature_id NULLS FIRST, f.id
        """;

    public async Task<long> CountAsync(FindingQuery query, CancellationToken cancellationToken = default)
    {
        await using var command = Command($"SELECT count(*) {Where}", query);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Each finding as one GeoJSON Feature, streamed from PostGIS (coordinates to 7 decimals, ~1 cm).</summary>
    public async IAsyncEnumerable<string> GeoJsonFeaturesAsync(FindingQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var command = Command($"""
            SELECT json_build_object(
                'type', 'Feature', 'id', f.id, 'geometry', ST_AsGeoJSON({FindingView.Location("$7")}, 7)::json,
                'properties', json_build_object('rule', f.rule, 'severity', f.severity, 'layer', l.name, 'layerId', f.layer_id,
                    'featureId', f.feature_id, 'feature', {FindingView.Label("$7")}, 'relatedFeatureId', f.related_feature_id,
                    'detail', {FindingView.Detail("$7")}, 'measure', {FindingView.Measure("$7")}))::text
            {Where} {Order} LIMIT $5 OFFSET $6
            """, query);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) yield return reader.GetString(0);
    }

    public async Task<IReadOnlyList<Finding>> ReadAsync(FindingQuery query, CancellationToken cancellationToken = default)
    {
        await using var command = Command($"""
            SELECT f.rule, f.severity, f.layer_id, l.name, f.feature_id, f.related_feature_id, {FindingView.Detail("$7")}, {FindingView.Location("$7")},
                   {FindingView.Label("$7")}
            {Where} {Order} LIMIT $5 OFFSET $6
            """, query);
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        var findings = new List<Finding>();
        while (await r.ReadAsync(cancellationToken))
        {
            Severities.TryParse(r.GetString(1), out var severity);
            findings.Add(new Finding(r.GetString(0), severity, r.GetInt64(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetInt64(4),
                r.IsDBNull(5) ? null : r.GetInt64(5), r.GetString(6), r.IsDBNull(7) ? null : r.GetFieldValue<Geometry>(7),
                r.IsDBNull(8) ? null : r.GetString(8)));
        }
        return findings;
    }

    private NpgsqlCommand Command(string sql, FindingQuery query)
    {
        var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new() { Value = query.RunId });
        command.Parameters.Add(new() { Value = (object?)query.Rule ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)query.Layer ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)query.Severity?.ToName() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = query.Limit });
        command.Parameters.Add(new() { Value = query.Offset });
        command.Parameters.Add(new() { Value = (query.Revealed ?? []).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        return command;
    }
}
