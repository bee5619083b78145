using System.Collections.Concurrent;
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
    /// Each statement reads its layer's version in the snapshot it makes its part from (TileLayer's at_version), so a
    /// tile is never named after another version, at no extra round trip.
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
        await using var batch = new NpgsqlBatch(connection);
        var versions = new List<int>(); // the version each statement's part must be made from, in statement order
        foreach (var layer in layers)
        {
            batch.BatchCommands.Add(layer.Command(tile));
            versions.Add(layer.Info.Version);
            if (layer.LabelCommand(tile) is not { } labels) continue;
            batch.BatchCommands.Add(labels);
            versions.Add(layer.Info.Version);
        }
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var parts = new List<byte[]>(versions.Count);
        var statement = 0;
        do
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                if (reader.IsDBNull(1) || reader.GetInt32(1) != versions[statement]) return null;
                if (!reader.IsDBNull(0)) parts.Add(reader.GetFieldValue<byte[]>(0));
            }
            statement++;
        }
        while (await reader.NextResultAsync(cancellationToken));
        return Concatenated(parts);
    }

    /// <summary>
    /// The parts as one tile. Most tiles are one part, returned as read: a tile over 85 KB is a large-object-heap array,
    /// and copying it through a growing buffer allocated four more of them per tile (collected only with generation 2).
    /// </summary>
    private static byte[] Concatenated(List<byte[]> parts)
    {
        if (parts.Count == 1) return parts[0];
        var tile = new byte[parts.Sum(p => p.Length)];
        var at = 0;
        foreach (var part in parts) { part.CopyTo(tile, at); at += part.Length; }
        return tile;
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
