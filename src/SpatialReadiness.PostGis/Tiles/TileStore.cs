using Npgsql;
using SpatialReadiness.Core.Tiles;

namespace SpatialReadiness.PostGis.Tiles;

/// <summary>Makes Mapbox Vector Tiles with PostGIS (ST_AsMVT): one layer, or several in one round trip.</summary>
public sealed class TileStore(NpgsqlDataSource dataSource)
{
    /// <summary>The tile's bytes: one MVT layer per <paramref name="layers"/> entry that has features there (and its label points' layer), concatenated (valid MVT).</summary>
    public async Task<byte[]> GetTileAsync(IReadOnlyList<TileLayer> layers, TileAddress tile, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
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
