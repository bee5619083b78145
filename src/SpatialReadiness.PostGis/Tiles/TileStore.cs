using Npgsql;
using SpatialReadiness.Core.Tiles;

namespace SpatialReadiness.PostGis.Tiles;

/// <summary>
/// Makes Mapbox Vector Tiles with PostGIS (ST_AsMVT): one layer, or several in one round trip; on the read replica
/// when it has the layers at the versions the tile is tagged with (<see cref="ReplicaReads"/>), else on the primary.
/// </summary>
public sealed class TileStore(ReplicaReads reads)
{
    /// <summary>The tile's bytes: one MVT layer per <paramref name="layers"/> entry that has features there (and its label points' layer), concatenated (valid MVT).</summary>
    public async Task<byte[]> GetTileAsync(IReadOnlyList<TileLayer> layers, TileAddress tile, CancellationToken cancellationToken)
    {
        await using var connection = await reads.OpenAsync(layers.Select(l => (l.Info.Id, l.Info.Version)), cancellationToken);
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
}
