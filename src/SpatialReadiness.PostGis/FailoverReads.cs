using Npgsql;

namespace SpatialReadiness.PostGis;

/// <summary>
/// Small reads the feeds need before they read features (a layer and its version, a city, the user of an API key or a
/// session cookie): from the primary; while the primary cannot be reached (a failover), from the read replica
/// (SR_PG_READ), once it has replayed all the WAL it received. Replication is synchronous, so the replica has received
/// every acknowledged commit: after that replay it has every layer version anyone was told, and the versions it then
/// gives are ones it serves itself. A replica that has not caught up within a short wait leaves the primary's fault
/// standing (503 + Retry-After).
/// </summary>
public sealed class FailoverReads(NpgsqlDataSource? replica, bool replicaOnly = false)
{
    private static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(2);

    /// <summary>No replica: every read on the primary.</summary>
    public static readonly FailoverReads None = new(null);

    /// <summary>Every read on the replica, once caught up (the tile catalog's fallback, which decides itself when to use it).</summary>
    public static FailoverReads OnReplica(NpgsqlDataSource replica) => new(replica, replicaOnly: true);

    public async Task<T> ReadAsync<T>(NpgsqlDataSource primary, Func<NpgsqlConnection, Task<T>> read, CancellationToken cancellationToken)
    {
        if (replicaOnly && replica is not null)
        {
            await using var connection = await replica.OpenConnectionAsync(cancellationToken);
            if (!await CaughtUpAsync(connection, cancellationToken))
                throw new NpgsqlException("the read replica has not yet replayed all it received from the primary", new IOException("replica behind"));
            return await read(connection);
        }
        try
        {
            await using var connection = await primary.OpenConnectionAsync(cancellationToken);
            return await read(connection);
        }
        // Only when the primary cannot be reached: a busy pool is a primary that is there, and a replica that was away
        // while the primary went on alone (synchronous_mode_strict off) may lack a revoked key or a layer made sensitive.
        catch (Exception e) when (replica is not null && !cancellationToken.IsCancellationRequested && DatabaseFaults.Classify(e) is { Timeout: false, Busy: false })
        {
            await using var connection = await replica.OpenConnectionAsync(cancellationToken);
            if (!await CaughtUpAsync(connection, cancellationToken)) throw;
            StoreMetrics.ReplicaFallback.Add(1);
            return await read(connection);
        }
    }

    /// <summary>True once the replica has replayed all it received (always on a primary: HAProxy's read port falls back to it).</summary>
    private static async Task<bool> CaughtUpAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var until = DateTime.UtcNow + CatchUp;
        while (true)
        {
            await using var command = new NpgsqlCommand("SELECT coalesce(pg_last_wal_replay_lsn() >= pg_last_wal_receive_lsn(), true)", connection);
            if ((bool)(await command.ExecuteScalarAsync(cancellationToken))!) return true;
            if (DateTime.UtcNow >= until) return false;
            await Task.Delay(50, cancellationToken);
        }
    }
}
