using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http.Features;
using Npgsql;
using OpenTelemetry.Metrics;
using SpatialReadiness.PostGis;

namespace SpatialReadiness.Server.Metrics;

/// <summary>
/// GET /metrics in Prometheus' text format, through OpenTelemetry: ASP.NET Core's request counts and durations (each
/// tagged with its route and its route group: tiles, ogc, odata, api, ...), Npgsql's (connections in use and idle per
/// pool, command durations), and the server's own (tile cache hits and misses, background tile geometry fills filled
/// and failed, reads run on the primary because the replica was behind, import and check durations). Meant for Prometheus on the servers' own ports; the nginx of
/// tools/cluster does not pass it on.
/// </summary>
public static class Telemetry
{
    private static readonly Meter Meter = new(StoreMetrics.MeterName);

    public static readonly Counter<long> TileCacheLookups = Meter.CreateCounter<long>("sr.tiles.cache_lookups", "{tile}", "Tile cache lookups; result=hit or miss.");
    public static readonly Counter<long> TileGeometryFills = Meter.CreateCounter<long>("sr.tiles.geometry_fills", "{fill}",
        "Background fills of a layer's stored tile geometry; result=filled or failed (a failing layer is tried again after 2 s, doubling up to a minute).");

    private static readonly HashSet<string> Groups = ["tiles", "ogc", "odata", "api", "health", "metrics", "openapi", "styles", "app"];

    public static void AddServerMetrics(this IServiceCollection services) =>
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddAspNetCoreInstrumentation()
            .AddNpgsqlInstrumentation()
            .AddMeter(StoreMetrics.MeterName)
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));

    public static void UseServerMetrics(this WebApplication app)
    {
        app.Use((http, next) =>
        {
            http.Features.Get<IHttpMetricsTagsFeature>()?.Tags.Add(new("sr.route_group", GroupOf(http.Request.Path)));
            return next(http);
        });
        app.MapPrometheusScrapingEndpoint(); // /metrics
    }

    /// <summary>The path's first segment when it is one of the server's groups, else "other": never a value a client picks.</summary>
    public static string GroupOf(PathString path)
    {
        var value = path.Value ?? "";
        var first = value.TrimStart('/').Split('/', 2)[0];
        return Groups.Contains(first) ? first : first.Length == 0 ? "viewer" : "other";
    }
}
