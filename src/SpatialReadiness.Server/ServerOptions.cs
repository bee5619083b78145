using SpatialReadiness.PostGis;

namespace SpatialReadiness.Server;

/// <summary>Settings read once at start, from appsettings or the environment (SR_PG, SR_DATA, SR_MAX_UPLOAD_MB, SR_TILE_CACHE_MB, ...).</summary>
public sealed record ServerOptions(string? ConnectionString, string DataRoot, long MaxUploadBytes, long MaxUnpackedBytes, long MaxVerticesPerFeature, long TileCacheBytes)
{
    public static ServerOptions Bind(IConfiguration configuration)
    {
        var connectionString = configuration["SR_PG"] is { Length: > 0 } env ? env : configuration.GetConnectionString("Postgis");
        var dataRoot = configuration["SR_DATA"] is { Length: > 0 } data ? Path.GetFullPath(data) : Database.DefaultDataRoot();
        var uploadMb = configuration.GetValue("SR_MAX_UPLOAD_MB", 512L);
        var unpackedMb = configuration.GetValue("SR_MAX_UNPACKED_MB", 2048L);
        var vertices = configuration.GetValue("SR_MAX_VERTICES", 1_000_000L);
        var tileCacheMb = configuration.GetValue("SR_TILE_CACHE_MB", 256L);
        if (uploadMb <= 0 || unpackedMb <= 0 || vertices <= 0 || tileCacheMb < 0)
            throw new InvalidOperationException("SR_MAX_UPLOAD_MB, SR_MAX_UNPACKED_MB and SR_MAX_VERTICES must be positive, SR_TILE_CACHE_MB zero (no cache) or more.");
        return new ServerOptions(connectionString, dataRoot, uploadMb << 20, unpackedMb << 20, vertices, tileCacheMb << 20);
    }
}
