using Npgsql;

namespace SpatialReadiness.PostGis;

/// <summary>
/// Where a read of some layers runs: on the read replica (SR_PG_READ) when it has every one of them at least at the
/// version the caller knows from the primary (checked on the same connection, so on the same replica), else on the
/// primary; also on the primary when the replica cannot be reached. A replica is always a little behind: this keeps a
/// tile cached under version v+1 from being made of a replica's v, and lets whoever just wrote read their write.
/// </summary>
public sealed class ReplicaReads(NpgsqlDataSource primary, NpgsqlDataSource? replica)
{
    public NpgsqlDataSource Primary => primary;

    public async Task<NpgsqlConnection> OpenAsync(IEnumerable<(long Id, int Version)> layers, CancellationToken cancellationToken)
    {
        if (replica is not null)
        {
            var wanted = layers.ToList();
            NpgsqlConnection? connection = null;
            try
            {
                connection = await replica.OpenConnectionAsync(cancellationToken);
                if (await HasVersionsAsync(connection, wanted, cancellationToken)) return connection;
                StoreMetrics.ReplicaSkipped.Add(1, new KeyValuePair<string, object?>("reason", "behind"));
            }
            catch (NpgsqlException) when (!cancellationToken.IsCancellationRequested)
            {
                StoreMetrics.ReplicaSkipped.Add(1, new KeyValuePair<string, object?>("reason", "unreachable"));
            }
            if (connection is not null) await connection.DisposeAsync();
        }
        return await primary.OpenConnectionAsync(cancellationToken);
    }

    private static async Task<bool> HasVersionsAsync(NpgsqlConnection connection, IReadOnlyList<(long Id, int Version)> layers, CancellationToken cancellationToken)
    {
        if (layers.Count == 0) return true;
        await using var command = new NpgsqlCommand("""
            SELECT count(*) = cardinality($1::bigint[])
            FROM unnest($1::bigint[], $2::integer[]) AS wanted(id, version)
            JOIN layers l ON l.id = wanted.id AND l.version >= wanted.version
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = layers.Select(l => l.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = layers.Select(l => l.Version).ToArray() });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
