using System.Net;
using Microsoft.AspNetCore.Http;
using System.Text;
using System.Text.RegularExpressions;
using SpatialReadiness.Server.Metrics;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Metrics;

/// <summary>/metrics as Prometheus scrapes it: request durations per route group, tile cache hits, pool use, imports.</summary>
[Collection(PostgisCollection.Name)]
public sealed partial class MetricsTests(ServerFixture server)
{
    [Fact]
    public async Task Metrics_count_requests_per_route_group_tile_cache_hits_pool_use_and_import_time()
    {
        // A server process of its own: in this test process other hosts come and go, and OpenTelemetry stops
        // recording ASP.NET Core's request durations when another host's meter of the same name is disposed.
        await using var process = await ServerProcess.StartAsync(server.Database.ConnectionString, SpatialReadiness.PostGis.Database.DefaultDataRoot());
        using var admin = process.Client();
        admin.DefaultRequestHeaders.Authorization = server.Admin.DefaultRequestHeaders.Authorization;
        using var client = process.Client();
        var city = $"metrics{Guid.NewGuid():N}"[..16];
        await admin.CreateCityAsync(city);
        var square = """{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"m"},"geometry":{"type":"Polygon","coordinates":[[[73.80013,18.50011],[73.90017,18.50011],[73.90017,18.60019],[73.80013,18.60019],[73.80013,18.50011]]]}}]}""";
        var layer = await admin.UploadAsync(city, Encoding.UTF8.GetBytes(square), "m.geojson", "boundary", ("name", "boundary")).CreatedLayerAsync();
        var before = await ScrapeAsync(client);
        var url = $"/tiles/{layer.GetProperty("id").GetInt64()}/10/722/458";
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(url)).StatusCode);
        // A request's duration is recorded as it ends, which may be just after its client has the answer.
        const string tiles = "sr_route_group=\"tiles\"";
        var after = await ScrapeAsync(client);
        for (var wait = 0; wait < 30 && Sum(after, "http_server_request_duration_seconds_count", tiles) - Sum(before, "http_server_request_duration_seconds_count", tiles) < 3; wait++)
        {
            await Task.Delay(100);
            after = await ScrapeAsync(client);
        }

        Assert.True(Sum(after, "sr_tiles_cache_lookups_total", "result=\"hit\"") - Sum(before, "sr_tiles_cache_lookups_total", "result=\"hit\"") >= 2, after);
        Assert.True(Sum(after, "http_server_request_duration_seconds_count", tiles) - Sum(before, "http_server_request_duration_seconds_count", tiles) >= 3, after);
        Assert.True(Sum(after, "sr_import_duration_seconds_count", "") >= 1);
        Assert.Contains("db_client_connection", after); // Npgsql's pool: connections used and idle, per pool
        Assert.DoesNotContain("sr_route_group=\"/", after);
    }

    [Theory]
    [InlineData("/tiles/5/1/2/3", "tiles")]
    [InlineData("/api/cities", "api")]
    [InlineData("/odata/demopur/roads", "odata")]
    [InlineData("/", "viewer")]
    [InlineData("/wp-admin/setup.php", "other")]
    [InlineData("/tilesXYZ/1", "other")]
    public void A_route_group_is_one_of_a_fixed_few_whatever_the_path(string path, string group) =>
        Assert.Equal(group, Telemetry.GroupOf(new PathString(path)));

    internal static async Task<string> ScrapeAsync(HttpClient client)
    {
        var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The sum of every sample of <paramref name="metric"/> whose labels contain <paramref name="label"/>.</summary>
    internal static double Sum(string scrape, string metric, string label) =>
        Sample().Matches(scrape).Where(m => m.Groups["name"].Value == metric && m.Groups["labels"].Value.Contains(label, StringComparison.Ordinal))
            .Sum(m => double.Parse(m.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>(?:[^""}]|""(?:[^""\\]|\\.)*"")*)\})? (?<value>[-+0-9.eE]+|NaN)", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
