using Npgsql;
using SpatialReadiness.Core.Tiles;

namespace SpatialReadiness.PostGis.Tiles;

/// <summary>
/// Makes Mapbox Vector Tiles with PostGIS (ST_AsMVT): one layer, or several in one round trip. With a read replica
/// (SR_PG_READ) a tile is made there only when the replica has every layer at least at the version the tile will be
/// cached and tagged under (read on the same connection, so the same replica); otherwise, and when the replica cannot
/// be reached, on the primary. So a tile kept under version v+1 is never made from a replica still at v.
/// </summary>
public sealed class TileStore(NpgsqlDataSource primary, NpgsqlDataSource? replica = null)
{
    /// <summary>The tile's bytes: one MVT layer per <paramref name="layers"/> entry that has features there, concatenated (valid MVT).</summary>
    public async Task<byte[]> GetTileAsync(IReadOnlyList<TileLayer> layers, TileAddress tile, CancellationToken cancellationToken)
    {
        if (replica is not null)
        {
            NpgsqlConnection? connection = null;
            try
            {
                connection = await replica.OpenConnectionAsync(cancellationToken);
                if (await HasVersionsAsync(connection, layers, cancellationToken)) return await MakeAsync(connection, layers, tile, cancellationToken);
                StoreMetrics.ReplicaSkipped.Add(1, new KeyValuePair<string, object?>("reason", "behind"));
            }
            catch (NpgsqlException) when (!cancellationToken.IsCancellationRequested)
            {
                StoreMetrics.ReplicaSkipped.Add(1, new KeyValuePair<string, object?>("reason", "unreachable"));
            }
            finally
            {
                if (connection is not null) await connection.DisposeAsync();
            }
        }
        await using var onPrimary = await primary.OpenConnectionAsync(cancellationToken);
        return await MakeAsync(onPrimary, layers, tile, cancellationToken);
    }

    private static async Task<bool> HasVersionsAsync(NpgsqlConnection connection, IReadOnlyList<TileLayer> layers, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT count(*) = cardinality($1::bigint[])
            FROM unnest($1::bigint[], $2::integer[]) AS wanted(id, version)
            JOIN layers l ON l.id = wanted.id AND l.version >= wanted.version
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = layers.Select(l => l.Info.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = layers.Select(l => l.Info.Version).ToArray() });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<byte[]> MakeAsync(NpgsqlConnection connection, IReadOnlyList<TileLayer> layers, TileAddress tile, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        foreach (var layer in layers) batch.BatchCommands.Add(layer.Command(tile));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        using var tileBytes = new MemoryStream();
        do
        {
            while (await reader.ReadAsync(cancellationToken))
                if (!reader.IsDBNull(0)) tileBytes.Write(reader.GetFieldValue<byte[]>(0));
        }
        while (await reader.NextResultAsync(cancellationToken));
        return tileBytes.ToArray();
    }
}
