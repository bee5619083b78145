using System.Collections.Concurrent;
using System.Data;
using Npgsql;
using SpatialReadiness.Core.Tiles;

namespace SpatialReadiness.PostGis.Tiles;

/// <summary>
/// Makes Mapbox Vector Tiles with PostGIS (ST_AsMVT): one layer, or several in one round trip; on the read replica
/// when it has the layers at the versions the tile is tagged with (<see cref="ReplicaReads"/>), else on the primary.
/// </summary>
public sealed class TileStore(ReplicaReads reads)
{
    /// <summary>Counting a million features into cells takes seconds: longer than a tile query may run.</summary>
    private static readonly TimeSpan DensityBuildTimeout = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<(long Layer, int Version), Lazy<Task>> _densityBuilt = new();

    /// <summary>
    /// The tile's bytes: one MVT layer per <paramref name="layers"/> entry that has features there (and its label points'
    /// layer), concatenated (valid MVT); or null, having made nothing, when a layer is no longer at the version its
    /// TileLayer names (the caller's catalog is behind a change it has not heard of yet): look the layers up again.
    /// The versions are checked in the snapshot the tile is made from, so a tile is never named after another version.
    /// </summary>
    public async Task<byte[]?> GetTileAsync(IReadOnlyList<TileLayer> layers, TileAddress tile, CancellationToken cancellationToken)
    {
        var drawsDensity = false;
        foreach (var layer in layers)
        {
            if (!layer.DrawsDensity(tile.Z)) continue;
            await DensityAsync(layer).WaitAsync(cancellationToken);
            drawsDensity = true;
        }
        // Density cells are written on the primary when first needed: a replica may not have replayed them yet.
        await using var connection = drawsDensity
            ? await reads.Primary.OpenConnectionAsync(cancellationToken)
            : await reads.OpenAsync(layers.Select(l => (l.Info.Id, l.Info.Version)), cancellationToken);
        // Repeatable read: the snapshot is taken by the version check, and the tile's statements read that same one.
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        if (!await AtVersionsAsync(connection, layers, cancellationToken)) return null;
        await using var batch = new NpgsqlBatch(connection);
        foreach (var layer in layers)
        {
            batch.BatchCommands.Add(layer.Command(tile));
            if (layer.LabelCommand(tile) is { } labels) batch.BatchCommands.Add(labels);
        }
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

    private static async Task<bool> AtVersionsAsync(NpgsqlConnection connection, IReadOnlyList<TileLayer> layers, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT count(*) = cardinality($1::bigint[])
            FROM unnest($1::bigint[], $2::integer[]) AS wanted(id, version)
            JOIN layers l ON l.id = wanted.id AND l.version = wanted.version
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = layers.Select(l => l.Info.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = layers.Select(l => l.Info.Version).ToArray() });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// The layer version's density cells exist once this completes: made by the first low-zoom tile that needs them
    /// (one build per version in this process; tile_density_build's lock keeps other processes from a second). A
    /// build that fails is forgotten, so the next tile tries again. Requests that give up do not cancel it.
    /// </summary>
    private Task DensityAsync(TileLayer layer)
    {
        var key = (layer.Info.Id, layer.Info.Version);
        var entry = _densityBuilt.GetOrAdd(key, k => new Lazy<Task>(() => BuildDensityAsync(k.Layer)));
        return entry.Value.ContinueWith(done =>
        {
            if (!done.IsCompletedSuccessfully) _densityBuilt.TryRemove(new KeyValuePair<(long, int), Lazy<Task>>(key, entry));
            return done;
        }, TaskScheduler.Default).Unwrap();
    }

    private async Task BuildDensityAsync(long layerId)
    {
        await using var connection = await reads.Primary.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var timeout = new NpgsqlCommand($"SET LOCAL statement_timeout = {(long)DensityBuildTimeout.TotalMilliseconds}", connection, transaction))
            await timeout.ExecuteNonQueryAsync();
        await using (var build = new NpgsqlCommand("SELECT tile_density_build($1)", connection, transaction) { CommandTimeout = (int)DensityBuildTimeout.TotalSeconds })
        {
            build.Parameters.Add(new() { Value = layerId });
            await build.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
    }
}
