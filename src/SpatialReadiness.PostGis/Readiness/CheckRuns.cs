using System.Data;
using System.Text.Json;
using Npgsql;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;
using SpatialReadiness.PostGis.Layers;

namespace SpatialReadiness.PostGis.Readiness;

/// <summary>
/// Check runs of cities: created queued, run on one connection (see <see cref="CheckSession"/>), finished with the
/// score stored as JSON beside its findings. A failed run keeps its row and reason and has no findings; only
/// succeeded runs are scored. The newest runs per city are kept (<see cref="KeptRuns"/>).
/// </summary>
public sealed class CheckRuns(NpgsqlDataSource dataSource)
{
    public const int KeptRuns = 10;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string SelectRun = """
        SELECT id, city_id, CASE WHEN gone THEN 'interrupted' ELSE status END,
               rule_set_version, input_hash, engine_versions, steps_done, steps_total, current_step, finding_count,
               CASE WHEN gone THEN 'the database connection running the check ended (PostgreSQL restarted or the backend was stopped); nothing of the run was kept; start the check again.'
                    ELSE error END,
               requested_by, started_at, finished_at
        FROM check_runs, LATERAL (SELECT status = 'running' AND backend_pid IS NOT NULL
            AND NOT sr_backend_alive(backend_pid, backend_start) AS gone) g
        """;

    /// <summary>
    /// Queues a run of the city, or returns the run already queued or running for it (one at a time per city):
    /// <c>Created</c> says which.
    /// </summary>
    public async Task<(CheckRun Run, bool Created)> QueueAsync(string city, string ruleSetVersion, string requestedBy, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCity = new NpgsqlCommand("SELECT id FROM cities WHERE id = $1 FOR UPDATE", connection) { Parameters = { new() { Value = city } } })
            if (await lockCity.ExecuteScalarAsync(cancellationToken) is null)
                throw new InputException(InputError.NotFound, $"city '{city}' does not exist.");
        var active = await ReadRunsAsync(connection, "WHERE city_id = $1 AND status IN ('queued', 'running') ORDER BY started_at DESC", cancellationToken, city);
        if (active.FirstOrDefault(r => r.Status != "interrupted") is { } running) return (running, false);

        var id = Guid.NewGuid();
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO check_runs (id, city_id, status, rule_set_version, requested_by) VALUES ($1, $2, 'queued', $3, $4)", connection))
        {
            foreach (var value in new object[] { id, city, ruleSetVersion, requestedBy }) insert.Parameters.Add(new() { Value = value });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return ((await GetAsync(id, cancellationToken))!, true);
    }

    /// <summary>
    /// Runs a queued run in one repeatable-read transaction, so every rule sees the same version of every layer and
    /// a failed run leaves no findings: <paramref name="check"/> does the work against the session. Afterwards the
    /// score is stored and the run marked succeeded, or failed with the reason.
    /// </summary>
    public async Task<ReadinessScore> ExecuteAsync(Guid runId, Func<ICheckDatabase, CityCheckData, CancellationToken, Task<ReadinessScore>> check,
        Action<int, int, string>? progress = null, CancellationToken cancellationToken = default) =>
        await ClaimAndRunAsync(runId, check, progress, cancellationToken)
        ?? throw new InvalidOperationException($"check run {runId} is not queued (another server has claimed it, or it has ended)");

    /// <summary>
    /// Claims the oldest queued run no server has claimed (FOR UPDATE SKIP LOCKED: two servers never claim the same) and
    /// runs it like <see cref="ExecuteAsync"/>; false when there was none. Runs queued in the last few seconds are
    /// left to the process that queued them, which claims them itself at once.
    /// </summary>
    public async Task<bool> RunNextQueuedAsync(Func<ICheckDatabase, CityCheckData, CancellationToken, Task<ReadinessScore>> check, CancellationToken cancellationToken = default)
    {
        try
        {
            return await ClaimAndRunAsync(null, check, null, cancellationToken) is not null;
        }
        catch (Exception e) when (DatabaseFaults.Classify(e) is null && e is not OperationCanceledException)
        {
            return true; // the run failed and says why in its row; there may be more queued
        }
    }

    /// <summary>
    /// Runs still 'running' whose backend is gone (their server died, or PostgreSQL restarted under them) are marked
    /// interrupted, so no run is left 'running' for ever; nothing of them was kept and running the check again is safe.
    /// Returns how many.
    /// </summary>
    public async Task<int> MarkAbandonedAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE check_runs SET status = 'interrupted', finished_at = now(), current_step = NULL,
                   error = 'the database connection running the check ended (its server stopped, or PostgreSQL restarted); nothing of the run was kept; start the check again.'
            WHERE status = 'running' AND backend_pid IS NOT NULL AND NOT sr_backend_alive(backend_pid, backend_start)
            """);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Claims the run (or, with null, the oldest queued one) on the connection that will run it, recording that
    /// connection's backend; then runs it in one repeatable-read transaction, so every rule sees the same version of
    /// every layer and a failed run leaves no findings. Null when there was nothing to claim.
    /// </summary>
    private async Task<ReadinessScore?> ClaimAndRunAsync(Guid? runId, Func<ICheckDatabase, CityCheckData, CancellationToken, Task<ReadinessScore>> check,
        Action<int, int, string>? progress, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var claim = new NpgsqlCommand("""
            UPDATE check_runs SET status = 'running', backend_pid = pg_backend_pid(), started_at = now(),
                   backend_start = (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid())
            WHERE id = (SELECT id FROM check_runs WHERE status = 'queued'
                            AND ($1::uuid IS NULL AND started_at < now() - interval '5 seconds' OR id = $1)
                        ORDER BY started_at FOR UPDATE SKIP LOCKED LIMIT 1)
            RETURNING id
            """, connection))
        {
            claim.Parameters.Add(new NpgsqlParameter { Value = (object?)runId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
            if (await claim.ExecuteScalarAsync(cancellationToken) is not Guid claimed) return null;
            runId = claimed;
        }
        var id = runId.Value;
        using var timing = StoreMetrics.Time(StoreMetrics.CheckDuration);
        var run = (await GetAsync(id, cancellationToken))!;
        var mine = connection.ProcessID;
        try
        {
            ReadinessScore score;
            byte[]? boundary;
            await using (var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken))
            {
                // If this server dies, PostgreSQL notices within 2 s even mid-statement and frees the run's backend.
                await Execute(connection, "SET LOCAL client_min_messages = warning; SET LOCAL work_mem = '256MB'; SET LOCAL client_connection_check_interval = '2s'", cancellationToken);
                var data = await LoadAsync(connection, run, cancellationToken);
                score = await check(new CheckSession(connection, dataSource, id, progress), data, cancellationToken);
                boundary = await Scalar(connection, "SELECT ST_AsEWKB(geom) FROM check_boundary", cancellationToken) as byte[];
                await transaction.CommitAsync(cancellationToken);
            }
            await Execute(dataSource, """
                UPDATE check_runs SET status = 'succeeded', finished_at = now(), input_hash = $2, engine_versions = $3, score = $4::jsonb,
                       boundary = ST_GeomFromEWKB($5), finding_count = (SELECT count(*) FROM findings WHERE run_id = $1),
                       steps_done = steps_total, current_step = NULL
                WHERE id = $1 AND backend_pid = $6
                """, cancellationToken, id, score.InputHash, score.EngineVersions, JsonSerializer.Serialize(score, Json), (object?)boundary ?? DBNull.Value, mine);
            await Execute(dataSource, """
                DELETE FROM check_runs WHERE city_id = $1 AND status NOT IN ('queued', 'running') AND id NOT IN
                    (SELECT id FROM check_runs WHERE city_id = $1 ORDER BY started_at DESC LIMIT $2)
                """, cancellationToken, run.City, KeptRuns);
            return score;
        }
        catch (Exception e) when (DatabaseFaults.Classify(e) is { } fault)
        {
            // When PostgreSQL itself is down this cannot be written: the row keeps a backend that is gone, which
            // reads as interrupted, and the next server to sweep marks it so (MarkAbandonedAsync).
            try
            {
                await Execute(dataSource, "UPDATE check_runs SET status = 'interrupted', finished_at = now(), error = $2 WHERE id = $1 AND backend_pid = $3", CancellationToken.None,
                    id, fault.Reason + " Nothing of the run was kept; start the check again.", mine);
            }
            catch (Exception again) when (DatabaseFaults.Classify(again) is not null) { }
            throw;
        }
        catch (Exception e)
        {
            await Execute(dataSource, "UPDATE check_runs SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1 AND backend_pid = $3", CancellationToken.None,
                id, e is OperationCanceledException ? "cancelled; nothing of the run was kept" : e.Message, mine);
            throw;
        }
    }

    public async Task<CheckRun?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await ReadRunsAsync(connection, "WHERE id = $1", cancellationToken, id)).FirstOrDefault();
    }

    public async Task<IReadOnlyList<CheckRun>> ListAsync(string city, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ReadRunsAsync(connection, "WHERE city_id = $1 ORDER BY started_at DESC LIMIT $2", cancellationToken, city, limit);
    }

    /// <summary>The score of the city's newest succeeded run, or null when none has succeeded.</summary>
    public async Task<ReadinessScore?> LatestScoreAsync(string city, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT score FROM check_runs WHERE city_id = $1 AND status = 'succeeded' ORDER BY finished_at DESC LIMIT 1");
        command.Parameters.Add(new() { Value = city });
        return await command.ExecuteScalarAsync(cancellationToken) is string json ? JsonSerializer.Deserialize<ReadinessScore>(json, Json) : null;
    }

    /// <summary>What "the city" was in a run (its reference boundary), for the report's maps; null when it had none.</summary>
    public async Task<NetTopologySuite.Geometries.Geometry?> BoundaryAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT boundary FROM check_runs WHERE id = $1");
        command.Parameters.Add(new() { Value = runId });
        return await command.ExecuteScalarAsync(cancellationToken) as NetTopologySuite.Geometries.Geometry;
    }

    private static async Task<CityCheckData> LoadAsync(NpgsqlConnection connection, CheckRun run, CancellationToken cancellationToken)
    {
        var city = await LayerStore.ReadCityAsync(connection, run.City, cancellationToken)
            ?? throw new InputException(InputError.NotFound, $"city '{run.City}' does not exist.");
        var layers = await LayerStore.ReadLayersAsync(connection, run.City, cancellationToken);
        var uses = await PlanningUses.ListAsync(connection, run.City, cancellationToken);
        var asOf = new DateTimeOffset((DateTime)(await Scalar(connection, "SELECT now()", cancellationToken))!, TimeSpan.Zero);
        return new CityCheckData(run.Id, city, layers, uses, asOf);
    }

    private static async Task<List<CheckRun>> ReadRunsAsync(NpgsqlConnection connection, string where, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand($"{SelectRun} {where}", connection);
        foreach (var value in parameters) command.Parameters.Add(new() { Value = value });
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        var runs = new List<CheckRun>();
        while (await r.ReadAsync(cancellationToken))
            runs.Add(new CheckRun(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
                r.IsDBNull(5) ? null : r.GetString(5), r.GetInt32(6), r.GetInt32(7), r.IsDBNull(8) ? null : r.GetString(8), r.GetInt64(9),
                r.IsDBNull(10) ? null : r.GetString(10), r.GetString(11), r.GetFieldValue<DateTimeOffset>(12),
                r.IsDBNull(13) ? null : r.GetFieldValue<DateTimeOffset>(13)));
        return runs;
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in parameters) command.Parameters.Add(new() { Value = value });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> Scalar(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is DBNull ? null : value;
    }

    private static async Task Execute(NpgsqlDataSource dataSource, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await Execute(connection, sql, cancellationToken, parameters);
    }
}
