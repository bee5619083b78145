using Npgsql;

namespace SpatialReadiness.PostGis.Limits;

/// <summary>
/// Events counted per key in sliding windows, in PostgreSQL (the unlogged table limit_events, migration 0014), so a
/// limit holds across every server over the database instead of once per process: failed sign-ins, writes per user.
/// Times are the database's clock. Events older than <see cref="LongestWindow"/> are deleted now and then.
/// </summary>
public sealed class SharedLimits(NpgsqlDataSource dataSource)
{
    /// <summary>No window is longer: older events count for nothing and are swept.</summary>
    public static readonly TimeSpan LongestWindow = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan SweepEvery = TimeSpan.FromMinutes(1);
    private long _lastSweepTicks;

    /// <summary>Takes one of <paramref name="limit"/> per <paramref name="window"/>: null when taken, else how long until one is free.</summary>
    public async Task<TimeSpan?> TakeAsync(string key, int limit, TimeSpan window, CancellationToken cancellationToken = default)
    {
        await SweepNowAndThenAsync(cancellationToken);
        await using var command = dataSource.CreateCommand("SELECT sr_limit_take($1, $2, $3)");
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        command.Parameters.Add(new NpgsqlParameter { Value = window });
        return await command.ExecuteScalarAsync(cancellationToken) is TimeSpan wait ? Positive(wait) : null;
    }

    /// <summary>
    /// For each (key, limit, window): how long until fewer than limit events remain in the window (null when fewer
    /// already); and how many events <paramref name="countKey"/> has within <paramref name="countWindow"/>, counted up
    /// to <paramref name="countUpTo"/>.
    /// </summary>
    public async Task<(TimeSpan? Wait, int Count)> CheckAsync(IReadOnlyList<(string Key, int Limit, TimeSpan Window)> limits,
        string countKey, TimeSpan countWindow, int countUpTo, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT (SELECT max(sr_limit_wait(l.key, l.lim, l.win)) FROM unnest($1::text[], $2::integer[], $3::interval[]) AS l(key, lim, win)),
                   (SELECT count(*)::integer FROM (SELECT 1 FROM limit_events WHERE key = $4 AND at > clock_timestamp() - $5 LIMIT $6) recent)
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = limits.Select(l => l.Key).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = limits.Select(l => l.Limit).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = limits.Select(l => l.Window).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = countKey });
        command.Parameters.Add(new NpgsqlParameter { Value = countWindow });
        command.Parameters.Add(new NpgsqlParameter { Value = countUpTo });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.IsDBNull(0) ? null : Positive(reader.GetFieldValue<TimeSpan>(0)), reader.GetInt32(1));
    }

    /// <summary>Records one event under each of <paramref name="keys"/>; what it returns names them for <see cref="ForgetAsync"/>.</summary>
    public async Task<RecordedEvents> RecordAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        await SweepNowAndThenAsync(cancellationToken);
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('synchronous_commit', 'local', true)"));
        var insert = new NpgsqlBatchCommand("INSERT INTO limit_events (key, at) SELECT unnest($1::text[]), clock_timestamp() RETURNING at");
        insert.Parameters.Add(new NpgsqlParameter { Value = keys.ToArray() });
        batch.BatchCommands.Add(insert);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        var at = new List<DateTime>();
        while (await reader.ReadAsync(cancellationToken)) at.Add(reader.GetDateTime(0));
        return new RecordedEvents(keys.ToArray(), at.ToArray());
    }

    /// <summary>Takes back events recorded by <see cref="RecordAsync"/> (an attempt counted before its outcome was known).</summary>
    public async Task ForgetAsync(RecordedEvents events, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM limit_events e USING unnest($1::text[], $2::timestamptz[]) AS f(key, at) WHERE e.key = f.key AND e.at = f.at");
        command.Parameters.Add(new NpgsqlParameter { Value = events.Keys });
        command.Parameters.Add(new NpgsqlParameter { Value = events.At });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task SweepNowAndThenAsync(CancellationToken cancellationToken)
    {
        var last = Interlocked.Read(ref _lastSweepTicks);
        var now = Environment.TickCount64;
        if (now - last < SweepEvery.TotalMilliseconds || Interlocked.CompareExchange(ref _lastSweepTicks, now, last) != last) return;
        await using var command = dataSource.CreateCommand("DELETE FROM limit_events WHERE at < clock_timestamp() - $1");
        command.Parameters.Add(new NpgsqlParameter { Value = LongestWindow });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static TimeSpan Positive(TimeSpan wait) => wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1);
}

/// <summary>Events as recorded: each key with the time it was recorded at.</summary>
public sealed record RecordedEvents(string[] Keys, DateTime[] At);
