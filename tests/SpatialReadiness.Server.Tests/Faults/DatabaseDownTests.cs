using System.Net;
using System.Text;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Faults;

/// <summary>
/// PostgreSQL goes away under a running server (killed, or stopped for an upgrade) and comes back on the same port:
/// meanwhile every request is a 503 problem with Retry-After (never a 500) and /health/ready says the database is
/// unreachable; afterwards the server serves again by itself, its layer_changed listener included.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class DatabaseDownTests(FaultCluster cluster)
{
    [Fact]
    public async Task KilledPostmaster_503WithRetryAfterWhileDown_ThenServesAgainWithoutRestart_ListenIncluded()
    {
        var city = await FaultCity.CreateAsync(cluster, "downpur");
        var tile = Tile(city.Slums, 73.822, 18.522, 12);
        string[] reads = ["/api/cities/downpur", tile, "/odata/Slums?$filter=City eq 'downpur'", "/ogc/collections/downpur__slums/items", "/tiles/city/downpur/12/2887/1869.mvt"];
        foreach (var url in reads) Assert.True((await cluster.Client.GetAsync(url)).IsSuccessStatusCode, url);
        var etag = (await cluster.Client.GetAsync(tile)).Headers.ETag!.Tag;

        cluster.KillPostmaster();
        foreach (var url in reads.Append($"/api/layers/{city.Slums}"))
            await AssertUnavailable(await cluster.Client.GetAsync(url), url);
        await AssertUnavailable(await cluster.Admin.PostAsync($"/api/layers/{city.Slums}/contributions",
            new StringContent("{\"comment\":\"x\",\"changes\":[]}", Encoding.UTF8, "application/json")), "POST contribution");
        await AssertUnavailable(await cluster.Admin.UploadAsync("downpur", Encoding.UTF8.GetBytes("{\"type\":\"FeatureCollection\",\"features\":[]}"), "x.geojson", "slum"), "POST layer");
        var health = await cluster.Client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.NotNull(health.Headers.RetryAfter);
        var body = await health.JsonAsync();
        Assert.False(body.GetProperty("database").GetProperty("reachable").GetBoolean());
        Assert.Contains("database unreachable", body.GetProperty("problems")[0].GetString());
        Assert.DoesNotContain("127.0.0.1", body.ToString());
        Assert.Equal(HttpStatusCode.OK, (await cluster.Client.GetAsync("/health/live")).StatusCode);

        await cluster.RestartAsync(); // on the same port
        await cluster.WaitUntilReadyAsync();
        foreach (var url in reads)
        {
            var response = await cluster.Client.GetAsync(url);
            Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        Assert.Equal(etag, (await cluster.Client.GetAsync(tile)).Headers.ETag!.Tag);

        // Listening again: a new version imported by another process (srd) reaches the server's tiles by NOTIFY alone.
        await WaitForAsync(async () => await cluster.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE query = 'LISTEN layer_changed'") == 1, "the server's LISTEN");
        var file = SharedData.TempFile("slums.geojson", "{\"type\":\"FeatureCollection\",\"features\":[" +
            ContributionCity.Feature(ContributionCity.Slum("S1", "Ambedkar Nagar", "1", 150, "R. Kamble"), ContributionCity.Square(73.82011, 18.52013, 73.82517, 18.52519)) + "]}");
        var (exit, output, errors) = await SrdProcess.RunAsync(cluster.ConnectionString, "import", file, "--city", "downpur", "--kind", "slum", "--name", "slums", "--licence", "CC BY 4.0");
        Assert.True(exit == 0, output + errors);
        await WaitForAsync(async () => (await cluster.Client.GetAsync(tile)).Headers.ETag?.Tag != etag, "the tile of the new version");
    }

    [Fact]
    public async Task StoppedForAnUpgrade_HealthSaysWhatIsWrong_AndTheClusterKeepsItsPort()
    {
        await cluster.Client.GetAsync("/api/cities"); // a pooled connection that the stop will break
        var port = cluster.Port;
        cluster.Cluster.Stop();
        var response = await cluster.Client.GetAsync("/api/cities");
        await AssertUnavailable(response, "/api/cities");
        var ready = await (await cluster.Client.GetAsync("/health")).JsonAsync();
        Assert.Equal("unavailable", ready.GetProperty("status").GetString());

        await cluster.RestartAsync();
        Assert.Equal(port, cluster.Port);
        await cluster.WaitUntilReadyAsync();
        var health = await cluster.Client.GetJsonAsync("/health/ready");
        Assert.Equal("ready", health.GetProperty("status").GetString());
        Assert.True(health.GetProperty("migrations").GetProperty("applied").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await cluster.Client.GetAsync("/api/cities")).StatusCode);
    }

    internal static async Task AssertUnavailable(HttpResponseMessage response, string what)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{what}: {(int)response.StatusCode} {text}");
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"{what}: no Retry-After");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("database", text);
        // Where the database listens is the operator's business, not an anonymous client's (Npgsql's "Failed to connect to host:port").
        Assert.DoesNotContain("127.0.0.1", text);
    }

    internal static async Task WaitForAsync(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"waited {seconds} s for {what}");
            await Task.Delay(200);
        }
    }

    /// <summary>The tile of layer <paramref name="layer"/> at zoom <paramref name="z"/> holding the point.</summary>
    internal static string Tile(long layer, double lon, double lat, int z)
    {
        var n = 1 << z;
        var x = (int)((lon + 180) / 360 * n);
        var y = (int)((1 - Math.Asinh(Math.Tan(lat * Math.PI / 180)) / Math.PI) / 2 * n);
        return $"/tiles/{layer}/{z}/{x}/{y}.mvt";
    }
}
