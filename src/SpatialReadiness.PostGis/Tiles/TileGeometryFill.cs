using Npgsql;

namespace SpatialReadiness.PostGis.Tiles;

/// <summary>
/// Fills the stored tile geometry (tile_z6 ... tile_z14) of the features an import committed without it
/// (0014c_deferred_tile_geometry.sql), in batches of feature ids, several at a time, each batch its own short
/// transaction. Resumable: what a crash or a stop leaves is still marked pending and the next run fills only that.
/// One process fills a layer at a time (a session advisory lock); the others skip it. Tiles are correct throughout:
/// a pending feature goes through the tile's live ST_AsMVTGeom, which gives the same geometry the fill stores.
/// </summary>
public sealed class TileGeometryFill(NpgsqlDataSource dataSource)
{
    public const int BatchSize = 5_000;
    private const int LockSpace = 20_014; // pg_try_advisory_lock(LockSpace, layer id): one filler per layer

    /// <summary>Layers with features still waiting for their tile geometry.</summary>
    public async Task<IReadOnlyList<long>> PendingLayersAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT id FROM layers WHERE tile_geometry_pending ORDER BY id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var layers = new List<long>();
        while (await reader.ReadAsync(cancellationToken)) layers.Add(reader.GetInt64(0));
        return layers;
    }

    /// <summary>
    /// Fills one layer with <paramref name="parallelism"/> connections; returns the number of features filled, or null
    /// when another process is filling it. <paramref name="progress"/> hears the running total after each batch.
    /// </summary>
    public async Task<long?> FillAsync(long layerId, int parallelism, Action<long>? progress, CancellationToken cancellationToken)
    {
        await using var session = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await Scalar<bool>(session, "SELECT pg_try_advisory_lock($1, $2::integer)", cancellationToken, LockSpace, layerId)) return null;
        try
        {
            var range = await Range(session, layerId, cancellationToken);
            long filled = 0;
            if (range is var (first, last))
            {
                var next = first;
                await Task.WhenAll(Enumerable.Range(0, Math.Max(1, parallelism)).Select(async _ =>
                {
                    await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                    while (true)
                    {
                        var from = Interlocked.Add(ref next, BatchSize) - BatchSize;
                        if (from >= last) return;
                        var count = await Scalar<long>(connection, "SELECT fill_tile_geometry($1, $2, $3)", cancellationToken, layerId, from, Math.Min(from + BatchSize, last));
                        var total = Interlocked.Add(ref filled, count);
                        progress?.Invoke(total);
                    }
                }));
            }
            // A new version committed meanwhile keeps the layer pending: it is filled on the next round.
            await Scalar<object>(session,
                "UPDATE layers SET tile_geometry_pending = false WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM features WHERE layer_id = $1 AND tile_pending) RETURNING 1",
                cancellationToken, layerId);
            return filled;
        }
        finally
        {
            await Scalar<bool>(session, "SELECT pg_advisory_unlock($1, $2::integer)", CancellationToken.None, LockSpace, layerId);
        }
    }

    /// <summary>Fills every pending layer, one after another; returns the features filled.</summary>
    public async Task<long> FillPendingAsync(int parallelism, CancellationToken cancellationToken)
    {
        long filled = 0;
        foreach (var layer in await PendingLayersAsync(cancellationToken))
            filled += await FillAsync(layer, parallelism, null, cancellationToken) ?? 0;
        return filled;
    }

    private static async Task<(long First, long Last)?> Range(NpgsqlConnection connection, long layerId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT min(id), max(id) + 1 FROM features WHERE layer_id = $1 AND tile_pending", connection)
        {
            Parameters = { new() { Value = layerId } },
        };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return reader.IsDBNull(0) ? null : (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static async Task<T?> Scalar<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in parameters) command.Parameters.Add(new NpgsqlParameter { Value = value });
        var result = await command.ExecuteScalarAsync(cancellationToken);
        return result is null or DBNull ? default : (T)result;
    }
}
