using System.Collections.Concurrent;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.PostGis;
using SpatialReadiness.PostGis.Features;
using SpatialReadiness.PostGis.Layers;
using SpatialReadiness.PostGis.Tiles;
using SpatialReadiness.Server.Styles;

namespace SpatialReadiness.Server.Tiles;

/// <summary>
/// The layers tiles are served from, with their tile SQL, kept in memory: for each layer one source as the public sees
/// it (sensitive fields removed) and one revealed to readers allowed its sensitive data (Caller.View); a caller gets the
/// one their view calls for. An import or edit evicts its layer before its request returns (in this process) or on
/// PostgreSQL's layer_changed notification (another process). The layer version is part of every tile's cache key and
/// ETag, so an evicted entry can never serve stale tiles; until the notification arrives, a tile asked of a layer that
/// has moved on is not made (TileStore checks the versions) and the endpoint evicts the layer itself.
/// </summary>
/// <param name="fallback">Where layers are read while the primary cannot be reached.</param>
public sealed class TileCatalog(LayerStore store, LayerFieldTypes fieldTypes, CatalogFallback fallback)
{
    private sealed record Sources(TileLayer Public, TileLayer Revealed)
    {
        public static async Task<Sources> OfAsync(Core.Layers.LayerInfo info, LayerFieldTypes fieldTypes)
        {
            var revealed = info with { Revealed = true };
            var types = await fieldTypes.ForAsync(revealed);
            return new(Make(info, types), Make(revealed, types));
        }

        private static TileLayer Make(Core.Layers.LayerInfo view, IReadOnlyDictionary<string, FieldType> types)
        {
            var drawn = DrawnFields.Of(view);
            return TileLayer.For(view, drawn.ByZoom, drawn.Labels, types);
        }

        public TileLayer For(Caller caller) => caller.MayReadSensitive(Public.Info) ? Revealed : Public;
    }

    private readonly ConcurrentDictionary<long, Lazy<Task<(Sources? Value, bool Keep)>>> _layers = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<(IReadOnlyList<Sources> Value, bool Keep)>>> _cities = new();

    /// <summary>The layer as <paramref name="caller"/> may see it (its Info may be withheld: the endpoint refuses it), or null.</summary>
    public async Task<TileLayer?> LayerAsync(long id, Caller caller) =>
        (await CachedAsync(_layers, id, key => FromPrimaryOrReplicaAsync(async layers =>
            await layers.GetLayerAsync(key) is { } info ? await Sources.OfAsync(info, fieldTypes) : null)))?.For(caller);

    /// <summary>A city's layers that <paramref name="caller"/> may read, as they may see them, boundary first, then by kind and name.</summary>
    public async Task<IReadOnlyList<TileLayer>> CityAsync(string city, Caller caller) =>
        (await CachedAsync(_cities, city, key => FromPrimaryOrReplicaAsync(async layers =>
        {
            var sources = new List<Sources>();
            foreach (var info in (await layers.ListLayersAsync(key)).OrderBy(l => l.Kind == "boundary" ? 0 : 1).ThenBy(l => l.Kind).ThenBy(l => l.Name))
                sources.Add(await Sources.OfAsync(info, fieldTypes));
            return (IReadOnlyList<Sources>)sources;
        })))
        .Select(s => s.For(caller)).Where(l => !l.Info.Withheld).ToList();

    /// <summary>
    /// The layers as the primary has them; while the primary cannot be reached (a failover), as the replica has them,
    /// not kept: a replica may be behind, so its answer serves this request only. Tiles made from it are still tagged
    /// with the versions it gave and read where those versions are (ReplicaReads), so they are never mislabelled.
    /// </summary>
    private async Task<(T Value, bool Keep)> FromPrimaryOrReplicaAsync<T>(Func<LayerStore, Task<T>> read)
    {
        try
        {
            return (await read(store), true);
        }
        catch (Exception e) when (fallback.Replica is { } replica && DatabaseFaults.Classify(e) is { Timeout: false, Busy: false })
        {
            return (await read(replica), false);
        }
    }

    /// <summary>
    /// One load per key at a time, kept once it succeeds from the primary; a load that fails (the database was down)
    /// or came from the replica is forgotten, so the next request tries the primary again.
    /// </summary>
    private static async Task<T> CachedAsync<TKey, T>(ConcurrentDictionary<TKey, Lazy<Task<(T Value, bool Keep)>>> cache, TKey key, Func<TKey, Task<(T Value, bool Keep)>> load) where TKey : notnull
    {
        var entry = cache.GetOrAdd(key, k => new Lazy<Task<(T, bool)>>(() => load(k)));
        try
        {
            var (value, keep) = await entry.Value;
            if (!keep) cache.TryRemove(new KeyValuePair<TKey, Lazy<Task<(T, bool)>>>(key, entry));
            return value;
        }
        catch
        {
            cache.TryRemove(new KeyValuePair<TKey, Lazy<Task<(T, bool)>>>(key, entry));
            throw;
        }
    }

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

/// <summary>The layers as the read replica (SR_PG_READ) has them, for the tile catalog while the primary is away; null without a replica.</summary>
public sealed record CatalogFallback(LayerStore? Replica);
