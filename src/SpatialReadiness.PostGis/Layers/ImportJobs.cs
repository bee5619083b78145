using Npgsql;
using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.PostGis.Layers;

/// <summary>
/// Import jobs are written outside the import's transaction, so their progress is visible while the import runs and
/// a failed import still says why it failed. They hold no layer data.
/// </summary>
internal sealed class ImportJobs(NpgsqlDataSource dataSource)
{
    public async Task<RunningJob> StartAsync(Guid id, LayerImport request, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "INSERT INTO import_jobs (id, city_id, layer_name, file_name, status, requested_by) VALUES ($1, $2, $3, $4, 'running', $5)");
        foreach (var value in new object[] { id, request.City, request.Name, request.SourceFile, request.ImportedBy })
            command.Parameters.Add(new() { Value = value });
        await command.ExecuteNonQueryAsync(cancellationToken);
        return new RunningJob(dataSource, id);
    }

    /// <summary>
    /// Marks interrupted every import still 'running' whose backend is gone (its server died, or PostgreSQL restarted
    /// under it) or that never reached the database within a minute: the file was on that server, so nobody can take
    /// it over. Returns how many. Any server may call it; the update is idempotent.
    /// </summary>
    public static async Task<int> MarkAbandonedAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE import_jobs SET status = 'interrupted', error_code = 'Interrupted', finished_at = now(),
                   error = 'the server running the import stopped (or lost its database connection) before it finished; nothing of it was stored; upload the file again.'
            WHERE status = 'running' AND (backend_pid IS NOT NULL AND NOT sr_backend_alive(backend_pid, backend_start)
                                          OR backend_pid IS NULL AND started_at < now() - interval '1 minute')
            """);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<ImportJob?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT id, city_id, layer_name, file_name,
                   CASE WHEN gone THEN 'interrupted' ELSE status END,
                   features_read, layer_id, version, CASE WHEN gone THEN 'Interrupted' ELSE error_code END,
                   CASE WHEN gone THEN 'the database connection running the import ended (PostgreSQL restarted or the backend was stopped); nothing of it was stored; upload the file again.'
                        ELSE error END,
                   requested_by, started_at, finished_at
            FROM import_jobs, LATERAL (SELECT status = 'running' AND backend_pid IS NOT NULL
                AND NOT sr_backend_alive(backend_pid, backend_start) AS gone) g
            WHERE id = $1
            """);
        command.Parameters.Add(new() { Value = id });
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        if (!await r.ReadAsync(cancellationToken)) return null;
        return new ImportJob(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64(5),
            r.IsDBNull(6) ? null : r.GetInt64(6), r.IsDBNull(7) ? null : r.GetInt32(7), r.IsDBNull(8) ? null : r.GetString(8),
            r.IsDBNull(9) ? null : r.GetString(9), r.GetString(10), r.GetFieldValue<DateTimeOffset>(11),
            r.IsDBNull(12) ? null : r.GetFieldValue<DateTimeOffset>(12));
    }

    internal sealed class RunningJob(NpgsqlDataSource dataSource, Guid id)
    {
        private long _reported;
        private Task _pending = Task.CompletedTask;

        /// <summary>Records progress without slowing the import: at most one update in flight, later counts win.</summary>
        public void Report(long featuresRead)
        {
            Interlocked.Exchange(ref _reported, featuresRead);
            if (!_pending.IsCompleted) return;
            _pending = Task.Run(async () =>
            {
                await using var command = dataSource.CreateCommand("UPDATE import_jobs SET features_read = $2 WHERE id = $1");
                command.Parameters.Add(new() { Value = id });
                command.Parameters.Add(new() { Value = Interlocked.Read(ref _reported) });
                await command.ExecuteNonQueryAsync();
            });
        }

        /// <summary>Records which database backend runs the import, so a job whose process died shows as interrupted.</summary>
        public async Task AttachBackendAsync(int backendPid)
        {
            await using var command = dataSource.CreateCommand(
                "UPDATE import_jobs SET backend_pid = $2, backend_start = (SELECT backend_start FROM pg_stat_activity WHERE pid = $2) WHERE id = $1");
            command.Parameters.Add(new() { Value = id });
            command.Parameters.Add(new() { Value = backendPid });
            await command.ExecuteNonQueryAsync();
        }

        public Task SucceededAsync(long layerId, int version) =>
            FinishAsync("succeeded", layerId, version, null, null);

        public Task FailedAsync(string code, string error, bool cancelled = false) =>
            FinishAsync(cancelled ? "cancelled" : "failed", null, null, code, error);

        /// <summary>
        /// The database went away under the import: says so when it can. When it cannot (PostgreSQL is down) the row
        /// stays 'running' with a backend that no longer exists, which reads as interrupted.
        /// </summary>
        public async Task InterruptedAsync(string reason)
        {
            try { await FinishAsync("interrupted", null, null, "Interrupted", reason); }
            catch (Exception e) when (DatabaseFaults.Classify(e) is not null) { }
        }

        private async Task FinishAsync(string status, long? layerId, int? version, string? code, string? error)
        {
            try { await _pending; } catch (NpgsqlException) { }
            await using var command = dataSource.CreateCommand("""
                UPDATE import_jobs SET status = $2, layer_id = $3, version = $4, error_code = $5, error = $6, finished_at = now(),
                       features_read = GREATEST(features_read, $7)
                WHERE id = $1
                """);
            foreach (var value in new object?[] { id, status, layerId, version, code, error, Interlocked.Read(ref _reported) })
                command.Parameters.Add(new() { Value = value ?? DBNull.Value });
            command.Parameters[2].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint;
            command.Parameters[3].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer;
            command.Parameters[4].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
            command.Parameters[5].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
            await command.ExecuteNonQueryAsync();
        }
    }
}
