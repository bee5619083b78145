using System.IO.Compression;
using Microsoft.Extensions.Caching.Memory;

namespace SpatialReadiness.Server.Tiles;

/// <summary>A made tile, plain and gzip-compressed, ready to send.</summary>
public sealed record CachedTile(byte[] Plain, byte[] Gzip)
{
    public static CachedTile From(byte[] plain)
    {
        if (plain.Length == 0) return new CachedTile(plain, plain);
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest)) gzip.Write(plain);
        return new CachedTile(plain, buffer.ToArray());
    }
}

/// <summary>
/// Tiles in memory, bounded in bytes (SR_TILE_CACHE_MB; 0 turns caching off), least recently used dropped first.
/// Keys carry the layer versions, so a changed layer is never served from an old entry.
/// </summary>
public sealed class TileCache(ServerOptions options) : IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = Math.Max(1, options.TileCacheBytes), CompactionPercentage = 0.25 });

    public async Task<CachedTile> GetOrMakeAsync(string key, Func<Task<byte[]>> make)
    {
        if (options.TileCacheBytes == 0) return CachedTile.From(await make());
        if (_cache.TryGetValue(key, out CachedTile? hit)) return hit!;
        var tile = CachedTile.From(await make());
        _cache.Set(key, tile, new MemoryCacheEntryOptions { Size = tile.Plain.Length + tile.Gzip.Length + 64 });
        return tile;
    }

    public void Dispose() => _cache.Dispose();
}
