using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Npgsql;

namespace SpatialReadiness.Cluster.Tests;

/// <summary>
/// Machines lost under load, through nginx as clients see it: a server killed loses no read; the primary killed stops
/// writes until Patroni promotes the replica, then they succeed again and every write acknowledged before is there.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class FailoverTests(ClusterFixture cluster, Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly HashSet<HttpStatusCode> ReadOk = [HttpStatusCode.OK, HttpStatusCode.NoContent, HttpStatusCode.NotModified];

    [Fact]
    public async Task Server_A_killed_under_a_read_load_through_nginx_fails_no_request()
    {
        var (city, id) = await LayerAsync("kill");
        var outcomes = new ConcurrentBag<(TimeSpan At, string What)>();
        var clock = Stopwatch.StartNew();
        var killedAt = TimeSpan.FromSeconds(2);
        try
        {
            var load = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
            {
                using var client = cluster.Client(cluster.Nginx);
                for (var i = 0; clock.Elapsed < TimeSpan.FromSeconds(8); i++)
                {
                    // ?n= makes every URL new, so nginx's tile cache cannot answer in the servers' place.
                    var url = (i % 3) switch
                    {
                        0 => $"/tiles/{id}/{CityLayers.Tile}?n={worker}-{i}",
                        1 => $"/ogc/collections/{city}__wards/items?limit=10&offset={i % 3}",
                        _ => $"/odata/Features?$filter=City eq '{city}'&$top={1 + i % 5}",
                    };
                    outcomes.Add((clock.Elapsed, await StatusAsync(client, url)));
                }
            })).ToList();
            await Task.Delay(killedAt);
            ClusterFixture.Kill("server1");
            await Task.WhenAll(load);
        }
        finally
        {
            await cluster.HealAsync();
        }
        var failed = outcomes.Where(o => o.What != "ok").ToList();
        output.WriteLine($"{outcomes.Count} reads through nginx in 8 s, {outcomes.Count(o => o.At > killedAt)} after server1 was killed, {failed.Count} failed");
        Assert.True(failed.Count == 0, $"{failed.Count} of {outcomes.Count} failed: {string.Join(", ", failed.Take(10))}");
        Assert.True(outcomes.Count(o => o.At > killedAt + TimeSpan.FromSeconds(1)) > 20, "too few requests after the kill to prove anything");
    }

    [Fact]
    public async Task The_primary_killed_under_mixed_load_writes_resume_after_promotion_and_no_acknowledged_write_is_lost()
    {
        var (city, id) = await LayerAsync("prim");
        var acknowledged = new ConcurrentBag<string>();
        var writes = new ConcurrentBag<(TimeSpan At, string What)>();
        var reads = new ConcurrentBag<(TimeSpan At, string What)>();
        var readKinds = new ConcurrentBag<(TimeSpan At, string Kind, bool Ok)>();
        var clock = Stopwatch.StartNew();
        TimeSpan killedAt = TimeSpan.MaxValue;
        var stop = new CancellationTokenSource(TimeSpan.FromSeconds(75));
        string killed;
        try
        {
            var writer = Task.Run(async () =>
            {
                using var client = cluster.Client(cluster.Nginx, admin: true);
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var city = $"fo{Guid.NewGuid():N}"[..12];
                    string what;
                    try
                    {
                        var response = await client.PostAsJsonAsync("/api/cities", new { id = city, name = "Failover " + i, state = "Maharashtra" });
                        what = response.StatusCode == HttpStatusCode.Created ? "ok"
                            : $"{(int)response.StatusCode} retry-after={response.Headers.RetryAfter?.Delta?.TotalSeconds}";
                        if (what == "ok") acknowledged.Add(city);
                    }
                    catch (HttpRequestException e) { what = "error " + e.Message; }
                    writes.Add((clock.Elapsed, what));
                    // Done once writes have gone through again for a few seconds after the kill.
                    var refusedAt = writes.Where(w => w.At > killedAt && w.What != "ok").Select(w => w.At).DefaultIfEmpty(TimeSpan.MaxValue).Min();
                    if (writes.Count(w => w.At > refusedAt && w.What == "ok") >= 10) stop.Cancel();
                    await Task.Delay(50);
                }
            });
            // Anonymous readers and an API key's, over every kind of read: tiles, OGC API collections and items, OData
            // (all features and the layer's own set), the layer's download.
            var readers = new[] { false, false, true }.Select((signedIn, worker) => Task.Run(async () =>
            {
                using var client = cluster.Client(cluster.Nginx, admin: signedIn);
                for (var i = worker; !stop.IsCancellationRequested; i++)
                {
                    var (kind, url) = MixedRead(i, city, id);
                    var what = await StatusAsync(client, url);
                    reads.Add((clock.Elapsed, what == "ok" ? "ok" : $"{(signedIn ? "key" : "anonymous")} {kind}: {what}"));
                    readKinds.Add((clock.Elapsed, kind, what == "ok"));
                }
            })).ToList();
            await Task.Delay(TimeSpan.FromSeconds(2));
            killedAt = clock.Elapsed;
            killed = await ClusterFixture.KillPrimary();
            await Task.WhenAll([writer, .. readers]);
        }
        finally
        {
            await cluster.HealAsync();
        }

        // Writes in flight at the kill may still be acknowledged by the old primary: resumed means after the first refusal.
        var firstRefused = writes.Where(w => w.At > killedAt && w.What != "ok").Select(w => w.At).DefaultIfEmpty(killedAt).Min();
        var resumed = writes.Where(w => w.At > firstRefused && w.What == "ok").Select(w => w.At).DefaultIfEmpty(TimeSpan.MaxValue).Min();
        output.WriteLine($"killed {killed} at {killedAt.TotalSeconds:F1} s; writes resumed {(resumed - killedAt).TotalSeconds:F1} s later; " +
            $"{acknowledged.Count} acknowledged; refused writes: {string.Join(", ", writes.Where(w => w.What != "ok").GroupBy(w => w.What.Split(' ')[0]).Select(g => $"{g.Key} x{g.Count()}"))}; " +
            $"failed reads {reads.Count(r => r.What != "ok")} of {reads.Count}, last failed at {reads.Where(r => r.What != "ok").Select(r => (r.At - killedAt).TotalSeconds).DefaultIfEmpty(0).Max():F1} s after the kill");
        Assert.True(resumed < killedAt + TimeSpan.FromSeconds(60), $"writes did not resume after the primary ({killed}) was killed: {string.Join(", ", writes.Where(w => w.At > killedAt).Select(w => w.What).Distinct())}");
        // Until the promotion a write is refused as a fault the client may retry: 503 with Retry-After, never a 500 or a 4xx.
        Assert.All(writes.Where(w => w.What != "ok"), w => Assert.Matches(@"^503 retry-after=\d+$", w.What));
        // Reads go on from the replica while writes are refused: layers, cities and the key's user are looked up there
        // (the tile catalog likewise), features and tiles read there. Around the promotion itself (HAProxy moving the
        // replica's sessions) a read may fail for a moment.
        var failedReads = reads.Where(r => r.What != "ok" && r.At > killedAt && r.At < resumed - TimeSpan.FromSeconds(3)).ToList();
        Assert.True(failedReads.Count == 0, $"{failedReads.Count} reads failed between the kill and the promotion: {string.Join("; ", failedReads.Take(10).Select(r => $"{(r.At - killedAt).TotalSeconds:F1} s {r.What}"))}");
        output.WriteLine("answered between the kill and the promotion: " + string.Join(", ", readKinds.Where(r => r.Ok && r.At > killedAt && r.At < resumed)
            .GroupBy(r => r.Kind).Select(g => $"{g.Key} {g.Count()}")));
        foreach (var kind in readKinds.Select(r => r.Kind).Distinct())
            Assert.True(readKinds.Count(r => r.Kind == kind && r.Ok && r.At > killedAt + TimeSpan.FromSeconds(1) && r.At < resumed - TimeSpan.FromSeconds(3)) >= 3,
                $"too few {kind} reads answered between the kill and the promotion");
        Assert.Contains(reads, r => r.At > resumed && r.What == "ok");

        await using var primary = new NpgsqlConnection(cluster.Primary);
        await primary.OpenAsync();
        await using var present = new NpgsqlCommand("SELECT count(*) FROM cities WHERE id = ANY($1)", primary) { Parameters = { new() { Value = acknowledged.ToArray() } } };
        Assert.Equal((long)acknowledged.Count, (long)(await present.ExecuteScalarAsync())!);
        Assert.True(acknowledged.Count > 10);
    }

    private async Task<(string City, long Id)> LayerAsync(string prefix)
    {
        using var admin = cluster.Client(cluster.ServerA, admin: true);
        var city = prefix + Guid.NewGuid().ToString("N")[..8];
        await CityLayers.CreateCityAsync(admin, city);
        var (id, _) = await CityLayers.ImportAsync(admin, city, "wards", "load", 6);
        return (city, id);
    }

    private static (string Kind, string Url) MixedRead(int i, string city, long id) => (i % 6) switch
    {
        0 => ("tile", $"/tiles/{id}/{CityLayers.Tile}?n={i}"),
        1 => ("ogc items", $"/ogc/collections/{city}__wards/items?limit=5&offset={i % 4}"),
        2 => ("ogc collections", $"/ogc/collections?n={i}"),
        3 => ("odata features", $"/odata/Features?$filter=City eq '{city}'&$top={1 + i % 5}"),
        4 => ("odata layer set", $"/odata/{city}_wards?$top={1 + i % 5}"),
        _ => ("download", $"/api/layers/{id}/export?format=geojson"),
    };

    private static async Task<string> StatusAsync(HttpClient client, string url)
    {
        try
        {
            var response = await client.GetAsync(url);
            await response.Content.ReadAsByteArrayAsync();
            return ReadOk.Contains(response.StatusCode) ? "ok" : $"{(int)response.StatusCode} {url}";
        }
        catch (HttpRequestException e)
        {
            return $"error {e.Message} {url}";
        }
    }
}
