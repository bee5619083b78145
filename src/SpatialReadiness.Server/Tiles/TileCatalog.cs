using System.Collections.Concurrent;
using SpatialReadiness.PostGis.Layers;
using SpatialReadiness.PostGis.Tiles;

namespace SpatialReadiness.Server.Tiles;

/// <summary>
/// The layers tiles are served from, with their tile SQL, kept in memory. An import evicts its layer before its
/// request returns (in this process) or on PostgreSQL's layer_changed notification (imports from srd or another server).
/// The layer version is part of every tile's cache key and ETag, so an evicted entry can never serve stale tiles.
/// </summary>
public sealed class TileCatalog(LayerStore store)
{
    private readonly ConcurrentDictionary<long, Lazy<Task<TileLayer?>>> _layers = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<TileLayer>>>> _cities = new();

    public Task<TileLayer?> LayerAsync(long id) =>
        _layers.GetOrAdd(id, key => new Lazy<Task<TileLayer?>>(async () =>
            await store.GetLayerAsync(key) is { } info ? TileLayer.For(info) : null)).Value;

    /// <summary>A city's layers that may be served publicly (not sensitive), boundary first, then by kind and name.</summary>
    public Task<IReadOnlyList<TileLayer>> CityAsync(string city) =>
        _cities.GetOrAdd(city, key => new Lazy<Task<IReadOnlyList<TileLayer>>>(async () =>
            (await store.ListLayersAsync(key)).Where(l => !l.Sensitive)
                .OrderBy(l => l.Kind == "boundary" ? 0 : 1).ThenBy(l => l.Kind).ThenBy(l => l.Name)
                .Select(TileLayer.For).ToList())).Value;

    public void Evict(long layerId, string city)
    {
        _layers.TryRemove(layerId, out _);
        _cities.TryRemove(city, out _);
    }

    public void EvictAll()
    {
        _layers.Clear();
        _cities.Clear();
    }
}
