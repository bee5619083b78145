using SpatialReadiness.PostGis;

namespace SpatialReadiness.Server;

/// <summary>
/// Settings read once at start, from appsettings or the environment (SR_PG, SR_DATA, SR_MAX_UPLOAD_MB, SR_TILE_CACHE_MB,
/// and the limits on sign-in and writes: SR_LOGIN_PER_IP per minute, SR_LOGIN_PER_NAME per 15 minutes, SR_WRITES_PER_USER
/// per minute; SR_SESSION_HOURS, how long a sign-in lasts unused; the bounds on heavy work, docs/operations.md;
/// SR_CORS_ORIGINS, the other sites allowed signed-in requests: Http/CrossOrigin.cs; SR_FONTS, the label fonts:
/// Fonts/Glyphs.cs). SR_PG_READ, optional, names a read replica (or a proxy in front of replicas) for tile and feature
/// reads; writes and LISTEN always use SR_PG.
/// </summary>
public sealed record ServerOptions(string? ConnectionString, string DataRoot, long MaxUploadBytes, long MaxUnpackedBytes, long MaxVerticesPerFeature, long TileCacheBytes)
{
    public int LoginsPerIpPerMinute { get; init; } = 30;
    public int LoginsPerNamePer15Minutes { get; init; } = 10;
    public int WritesPerUserPerMinute { get; init; } = 600;
    public TimeSpan Session { get; init; } = TimeSpan.FromHours(8);
    public string? ReadConnectionString { get; init; }

    /// <summary>Heavy work at once (defaults for a 2-core machine): see <see cref="Resilience.WorkLimits"/>.</summary>
    public int MaxImports { get; init; } = 2;
    public int MaxChecks { get; init; } = 1;
    public int MaxFileContributions { get; init; } = 2;
    public int MaxFeeds { get; init; } = 16;

    /// <summary>PostgreSQL's statement_timeout on tile queries and on feed, item and download queries.</summary>
    public TimeSpan TileTimeout { get; init; } = TimeSpan.FromSeconds(15);
    public TimeSpan FeedTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>An upload slower than this (after a grace period) is cut off: a stalled client holds no slot or temp file.</summary>
    public int MinUploadBytesPerSecond { get; init; } = 1024;

    /// <summary>Where uploads are spooled while they are read (SR_TEMP_DIR; the system's temp folder by default).</summary>
    public string TempDirectory { get; init; } = Path.GetTempPath();

    public int Limit(Resilience.HeavyWork work) => work switch
    {
        Resilience.HeavyWork.Import => MaxImports,
        Resilience.HeavyWork.Check => MaxChecks,
        Resilience.HeavyWork.FileContribution => MaxFileContributions,
        _ => MaxFeeds,
    };

    public string LimitSetting(Resilience.HeavyWork work) => work switch
    {
        Resilience.HeavyWork.Import => "SR_MAX_IMPORTS",
        Resilience.HeavyWork.Check => "SR_MAX_CHECKS",
        Resilience.HeavyWork.FileContribution => "SR_MAX_FILE_CONTRIBUTIONS",
        _ => "SR_MAX_FEEDS",
    };

    /// <summary>SR_CORS_ORIGINS: comma-separated origins allowed credentialed cross-origin requests (any origin may read public data).</summary>
    public string? CorsOrigins { get; init; }

    /// <summary>SR_FONTS: the folder of the fonts /fonts draws MapLibre's label glyphs from (Debian's fonts-noto-core by default).</summary>
    public string FontsDirectory { get; init; } = "/usr/share/fonts/truetype/noto";

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
        var limits = new[] { "SR_LOGIN_PER_IP", "SR_LOGIN_PER_NAME", "SR_WRITES_PER_USER", "SR_SESSION_HOURS",
                "SR_MAX_IMPORTS", "SR_MAX_CHECKS", "SR_MAX_FILE_CONTRIBUTIONS", "SR_MAX_FEEDS", "SR_TILE_TIMEOUT_MS", "SR_FEED_TIMEOUT_MS", "SR_MIN_UPLOAD_BYTES_PER_S" }.Select(name => (name, value: configuration.GetValue<int?>(name))).ToList();
        if (limits.FirstOrDefault(l => l.value is <= 0) is { name: { } bad })
            throw new InvalidOperationException($"{bad} must be a positive whole number.");
        var defaults = new ServerOptions(connectionString, dataRoot, uploadMb << 20, unpackedMb << 20, vertices, tileCacheMb << 20);
        return defaults with
        {
            LoginsPerIpPerMinute = limits[0].value ?? defaults.LoginsPerIpPerMinute,
            LoginsPerNamePer15Minutes = limits[1].value ?? defaults.LoginsPerNamePer15Minutes,
            WritesPerUserPerMinute = limits[2].value ?? defaults.WritesPerUserPerMinute,
            Session = limits[3].value is { } hours ? TimeSpan.FromHours(hours) : defaults.Session,
            MaxImports = limits[4].value ?? defaults.MaxImports,
            MaxChecks = limits[5].value ?? defaults.MaxChecks,
            MaxFileContributions = limits[6].value ?? defaults.MaxFileContributions,
            MaxFeeds = limits[7].value ?? defaults.MaxFeeds,
            TileTimeout = limits[8].value is { } tile ? TimeSpan.FromMilliseconds(tile) : defaults.TileTimeout,
            FeedTimeout = limits[9].value is { } feed ? TimeSpan.FromMilliseconds(feed) : defaults.FeedTimeout,
            MinUploadBytesPerSecond = limits[10].value ?? defaults.MinUploadBytesPerSecond,
            TempDirectory = configuration["SR_TEMP_DIR"] is { Length: > 0 } temp ? Path.GetFullPath(temp) : defaults.TempDirectory,
            CorsOrigins = configuration["SR_CORS_ORIGINS"],
            ReadConnectionString = configuration["SR_PG_READ"] is { Length: > 0 } read ? read : null,
            FontsDirectory = configuration["SR_FONTS"] is { Length: > 0 } fonts ? Path.GetFullPath(fonts) : defaults.FontsDirectory,
        };
    }
}
