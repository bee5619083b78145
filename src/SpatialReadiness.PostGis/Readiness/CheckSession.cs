using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.PostGis.Readiness;

/// <summary>
/// The database side of one check run: a single connection in one transaction (the run's scratch tables are
/// temporary tables on it),
/// findings written straight from the rules' SQL into the findings table without passing through .NET, and progress
/// written to check_runs as it goes.
/// </summary>
internal sealed class CheckSession(NpgsqlConnection connection, NpgsqlDataSource progressSource, Guid runId, Action<int, int, string>? onProgress) : ICheckDatabase
{
    public Guid RunId { get; } = runId;

    /// <summary>Written outside the run's transaction, so readers see it at once.</summary>
    public async Task ReportProgressAsync(int stepsDone, int stepsTotal, string currentStep, CancellationToken cancellationToken)
    {
        await using var command = progressSource.CreateCommand("UPDATE check_runs SET steps_done = $2, steps_total = $3, current_step = $4 WHERE id = $1");
        foreach (var value in new object[] { RunId, stepsDone, stepsTotal, currentStep }) command.Parameters.Add(new() { Value = value });
        await command.ExecuteNonQueryAsync(cancellationToken);
        onProgress?.Invoke(stepsDone, stepsTotal, currentStep);
    }

    public async Task ExecuteAsync(string sql, IReadOnlyDictionary<string, object?> parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<object?[]>> QueryAsync(string sql, IReadOnlyDictionary<string, object?> parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    public async Task<FindingCounts> StoreFindingsAsync(string rule, Severity severity, long layerId, string? labelField, FindingBasis basis, string findingsSql,
        IReadOnlyDictionary<string, object?> parameters, CancellationToken cancellationToken)
    {
        // Found first into a scratch table, then stored: a query feeding an INSERT never runs in parallel, while
        // CREATE TABLE AS may, so the rules that read a whole layer (a million buildings) use every core.
        var found = $"""
            DROP TABLE IF EXISTS check_found;
            CREATE TEMP TABLE check_found AS
            {findingsSql}
            """;
        var sql = $"""
            WITH found AS (SELECT * FROM check_found),
            stored AS (
                INSERT INTO findings (run_id, rule, severity, layer_id, feature_id, feature_label, related_feature_id, detail, location, measure,
                                      fields, label_field, location_from_fields)
                SELECT @run, @finding_rule, @finding_severity, @finding_layer, found.feature_id,
                       (SELECT coalesce(nullif(btrim(x.attributes ->> @label_field), ''), '#' || x.id)
                        FROM features x WHERE x.layer_id = @finding_layer AND x.id = found.feature_id),
                       found.related_feature_id, found.detail, found.location, found.measure,
                       @finding_fields::text[], @label_field, @finding_location_from_fields
                FROM found
                RETURNING feature_id, related_feature_id, measure
            )
            SELECT count(*),
                   (SELECT count(DISTINCT x) FROM stored s, unnest(ARRAY[s.feature_id, s.related_feature_id]) x WHERE x IS NOT NULL),
                   coalesce(sum(measure), 0)
            FROM stored
            """;
        var all = new Dictionary<string, object?>(parameters)
        {
            ["run"] = RunId, ["finding_rule"] = rule, ["finding_severity"] = severity.ToName(), ["finding_layer"] = layerId,
            ["label_field"] = labelField,
            ["finding_fields"] = basis.Fields is null ? DBNull.Value : basis.Fields.ToArray(),
            ["finding_location_from_fields"] = basis.Location,
        };
        await ExecuteAsync(found, parameters, cancellationToken);
        await using var command = Command(sql, all);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new FindingCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetDouble(2));
    }

    public async Task<FindingCounts> StoreFindingsAsync(IReadOnlyList<Finding> findings, FindingBasis basis, CancellationToken cancellationToken)
    {
        if (findings.Count == 0) return FindingCounts.Zero;
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY findings (run_id, rule, severity, layer_id, feature_id, feature_label, related_feature_id, detail, location, measure, fields, location_from_fields) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var f in findings)
            {
                await writer.StartRowAsync(cancellationToken);
                await writer.WriteAsync(RunId, NpgsqlDbType.Uuid, cancellationToken);
                await writer.WriteAsync(f.Rule, NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(f.Severity.ToName(), NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(f.LayerId, NpgsqlDbType.Bigint, cancellationToken);
                await WriteNullable(writer, f.FeatureId, NpgsqlDbType.Bigint, cancellationToken);
                if (f.FeatureLabel is null) await writer.WriteNullAsync(cancellationToken);
                else await writer.WriteAsync(f.FeatureLabel, NpgsqlDbType.Text, cancellationToken);
                await WriteNullable(writer, f.RelatedFeatureId, NpgsqlDbType.Bigint, cancellationToken);
                await writer.WriteAsync(f.Detail, NpgsqlDbType.Text, cancellationToken);
                if (f.Location is null) await writer.WriteNullAsync(cancellationToken);
                else await writer.WriteAsync(f.Location, NpgsqlDbType.Geometry, cancellationToken);
                await writer.WriteNullAsync(cancellationToken);
                if (basis.Fields is null) await writer.WriteNullAsync(cancellationToken);
                else await writer.WriteAsync(basis.Fields.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(basis.Location, NpgsqlDbType.Boolean, cancellationToken);
            }
            await writer.CompleteAsync(cancellationToken);
        }
        var features = findings.SelectMany(f => new[] { f.FeatureId, f.RelatedFeatureId }).OfType<long>().Distinct().LongCount();
        return new FindingCounts(findings.Count, features, 0);
    }

    public async Task<IReadOnlyList<(long Id, Geometry Geometry)>> ReadGeometriesAsync(long layerId, CancellationToken cancellationToken)
    {
        await using var command = Command("SELECT id, geom FROM features WHERE layer_id = @layer AND geom IS NOT NULL ORDER BY id",
            new Dictionary<string, object?> { ["layer"] = layerId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var features = new List<(long, Geometry)>();
        while (await reader.ReadAsync(cancellationToken)) features.Add((reader.GetInt64(0), reader.GetFieldValue<Geometry>(1)));
        return features;
    }

    private static async Task WriteNullable(NpgsqlBinaryImporter writer, long? value, NpgsqlDbType type, CancellationToken cancellationToken)
    {
        if (value is null) await writer.WriteNullAsync(cancellationToken);
        else await writer.WriteAsync(value.Value, type, cancellationToken);
    }

    /// <summary>Named parameters bound by value; a null is sent as text (the rules' optional values are field names).</summary>
    private NpgsqlCommand Command(string sql, IReadOnlyDictionary<string, object?> parameters)
    {
        var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        foreach (var (name, value) in parameters)
            command.Parameters.Add(value is null
                ? new NpgsqlParameter(name, NpgsqlDbType.Text) { Value = DBNull.Value }
                : new NpgsqlParameter(name, value));
        return command;
    }
}
