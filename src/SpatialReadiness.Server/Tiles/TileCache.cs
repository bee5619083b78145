using System.IO.Compression;
using Microsoft.Extensions.Caching.Memory;
using SpatialReadiness.Server.Metrics;

namespace SpatialReadiness.Server.Tiles;

/// <summary>A made tile; its gzip form is made the first time a client asks for it, then kept with it.</summary>
public sealed class CachedTile(byte[] plain)
{
    private byte[]? _gzip;

    public byte[] Plain { get; } = plain;

    public byte[] Gzip => _gzip ??= Compress(Plain);

    private static byte[] Compress(byte[] plain)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest)) gzip.Write(plain);
        return buffer.ToArray();
    }
}

/// <summary>
/// Tiles in memory, bounded in bytes (SR_TILE_CACHE_MB; 0 turns caching off), least recently used dropped first.
/// Keys carry the layer versions, so a changed layer is never served from an old entry.
/// </summary>
public sealed class TileCache(ServerOptions options) : IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = Math.Max(1, options.TileCacheBytes), CompactionPercentage = 0.25 });

    /// <summary>The tile kept under <paramref name="key"/>, else made and kept; null when <paramref name="make"/> made none (TileStore: a layer changed).</summary>
    public async Task<CachedTile?> GetOrMakeAsync(string key, Func<Task<byte[]?>> make)
    {
        if (options.TileCacheBytes == 0) return await make() is { } plain ? new CachedTile(plain) : null;
        if (_cache.TryGetValue(key, out CachedTile? hit))
        {
            Telemetry.TileCacheLookups.Add(1, new KeyValuePair<string, object?>("result", "hit"));
            return hit!;
        }
        Telemetry.TileCacheLookups.Add(1, new KeyValuePair<string, object?>("result", "miss"));
        if (await make() is not { } made) return null;
        var tile = new CachedTile(made);
        // Counted at twice the plain size: room for the gzip form made on demand (MVT rarely compresses below half).
        _cache.Set(key, tile, new MemoryCacheEntryOptions { Size = 2L * tile.Plain.Length + 64 });
        return tile;
    }

    /// <summary>Drops every tile (the layer change listener lost its connection: changes may have been missed).</summary>
    public void Clear() => _cache.Clear();

    public void Dispose() => _cache.Dispose();
}
