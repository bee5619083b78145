using System.Diagnostics;
using System.Net;
using System.Text;
using Npgsql;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Faults;

/// <summary>
/// Every request ends in bounded time with a clear status and frees what it held: queries past their statement timeout,
/// clients that leave, heavy work over its limit, stalled uploads, a full upload disk.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class BoundsTests(FaultCluster cluster)
{
    [Fact]
    public async Task TileAndFilterPastTheirBound_503SayingWhy_BackendFreed()
    {
        var city = await FaultCity.CreateAsync(cluster, "slowpur");
        Assert.True((await cluster.Client.GetAsync(DatabaseDownTests.Tile(city.Slums, 73.822, 18.522, 12))).IsSuccessStatusCode);
        // Held here, the lock makes every read of features wait: as a z0 tile of a million points or a pathological filter would.
        await using var holder = await LockFeaturesAsync();
        foreach (var url in new[] { DatabaseDownTests.Tile(city.Slums, 73.822, 18.522, 13), "/odata/Slums?$filter=City eq 'slowpur' and households gt 10",
                     "/ogc/collections/slowpur__slums/items?filter=households%20%3E%2010" })
        {
            var clock = Stopwatch.StartNew();
            var response = await cluster.Client.GetAsync(url);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{url}: {(int)response.StatusCode} {text}");
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.Contains("statement timeout", text);
            Assert.InRange(clock.Elapsed.TotalSeconds, 1.4, 10); // SR_*_TIMEOUT_MS=1500
            Assert.Equal(0L, await WaitingBackendsAsync());
        }
    }

    [Fact]
    public async Task ClientGoneMidFeedMidExportMidUpload_QueryCancelledAtOnce_NoTempFile()
    {
        var city = await FaultCity.CreateAsync(cluster, "gonepur");
        var patient = cluster.StartServer(("SR_FEED_TIMEOUT_MS", "600000"), ("SR_TILE_TIMEOUT_MS", "600000")); // only the client's leaving ends these
        using var admin = await cluster.UserAsync("fault-admin", Core.Accounts.Role.Admin, patient);
        await using (var holder = await LockFeaturesAsync())
        {
            foreach (var url in new[] { "/odata/Slums?$filter=City eq 'gonepur'", $"/api/layers/{city.Slums}/export?format=geojson", "/ogc/collections/gonepur__slums/items" })
            {
                using var leaving = new CancellationTokenSource();
                var request = admin.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, leaving.Token);
                await DatabaseDownTests.WaitForAsync(async () => await WaitingBackendsAsync() == 1, $"{url} to wait on the lock");
                leaving.Cancel();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
                var clock = Stopwatch.StartNew();
                await DatabaseDownTests.WaitForAsync(async () => await WaitingBackendsAsync() == 0, $"{url}'s query to be cancelled", 5);
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"{url}: the backend was freed only after {clock.Elapsed}");
            }
        }

        // Mid-upload: half a file sent, then the client leaves; its temp file goes at once.
        using var uploadLeaving = new CancellationTokenSource();
        var body = new TricklingContent(512 * 1024, bytesPerSecondAfter: 0);
        var upload = admin.PostAsync("/api/cities/gonepur/layers", Multipart(body, "half.geojson"), uploadLeaving.Token);
        await DatabaseDownTests.WaitForAsync(() => Task.FromResult(cluster.TempFiles().Length == 1), "the upload's temp file");
        uploadLeaving.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => upload);
        await DatabaseDownTests.WaitForAsync(() => Task.FromResult(cluster.TempFiles().Length == 0), "the temp file to be removed", 5);
        Assert.Equal(0L, await cluster.ScalarAsync<long>("SELECT count(*) FROM layers WHERE city_id = 'gonepur' AND name = 'half'"));
    }

    [Fact]
    public async Task OverTheLimits_503WithRetryAfter_AnonymousGetTheSmallestShare()
    {
        await FaultCity.CreateAsync(cluster, "busypur");
        await FaultCity.CreateAsync(cluster, "busypur2");
        await using (var holder = await LockFeaturesAsync())
        {
            // SR_MAX_FEEDS=4: anonymous readers share 1.
            using var first = new CancellationTokenSource();
            var anonymous = cluster.Client.GetAsync("/odata/Slums?$filter=City eq 'busypur'", first.Token);
            await DatabaseDownTests.WaitForAsync(async () => await WaitingBackendsAsync() == 1, "the first feed");
            var second = await cluster.Client.GetAsync("/odata/Slums?$filter=City eq 'busypur'");
            Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
            Assert.NotNull(second.Headers.RetryAfter);
            Assert.Contains("sign in", await second.Content.ReadAsStringAsync());
            using var signedIn = new CancellationTokenSource();
            var keyed = cluster.Admin.GetAsync("/odata/Slums?$filter=City eq 'busypur'", signedIn.Token);
            await DatabaseDownTests.WaitForAsync(async () => await WaitingBackendsAsync() == 2, "the signed-in feed to be admitted");

            // SR_MAX_CHECKS=1 (the default): a second city's check waits for no slot.
            var check = await cluster.Admin.PostAsync("/api/cities/busypur/checks", null);
            Assert.Equal(HttpStatusCode.Accepted, check.StatusCode);
            var refused = await cluster.Admin.PostAsync("/api/cities/busypur2/checks", null);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains("SR_MAX_CHECKS", await refused.Content.ReadAsStringAsync());
            Assert.NotNull(refused.Headers.RetryAfter);
            first.Cancel();
            signedIn.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => anonymous);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => keyed);
        }

        // SR_MAX_IMPORTS=1: while one upload is arriving, another import is refused at once.
        using var slow = new CancellationTokenSource();
        var arriving = cluster.Admin.PostAsync("/api/cities/busypur/layers", Multipart(new TricklingContent(64 * 1024, bytesPerSecondAfter: 0), "slow.geojson"), slow.Token);
        await DatabaseDownTests.WaitForAsync(() => Task.FromResult(cluster.TempFiles().Length == 1), "the first upload");
        var other = await cluster.Admin.UploadAsync("busypur", Encoding.UTF8.GetBytes("{\"type\":\"FeatureCollection\",\"features\":[]}"), "other.geojson", "asset");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, other.StatusCode);
        Assert.Contains("SR_MAX_IMPORTS", await other.Content.ReadAsStringAsync());
        slow.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => arriving);
        await DatabaseDownTests.WaitForAsync(() => Task.FromResult(cluster.TempFiles().Length == 0), "the temp file to be removed", 5);
        await DatabaseDownTests.WaitForAsync(async () => (await cluster.Admin.UploadAsync("busypur",
            Encoding.UTF8.GetBytes("{\"type\":\"FeatureCollection\",\"features\":[]}"), "other.geojson", "asset")).StatusCode != HttpStatusCode.ServiceUnavailable, "the import slot to be free", 10);
    }

    [Fact]
    public async Task StalledUpload_CutOffByTheMinimumRate_TempFileRemoved_NothingStored()
    {
        await cluster.Admin.CreateCityAsync("stallpur", "Stallpur");
        var clock = Stopwatch.StartNew();
        HttpStatusCode? status = null;
        try
        {
            var response = await cluster.Admin.PostAsync("/api/cities/stallpur/layers", Multipart(new TricklingContent(16 * 1024, bytesPerSecondAfter: 100), "stalled.geojson"));
            status = response.StatusCode;
        }
        catch (HttpRequestException) { } // the server may close the connection instead of answering a client that stopped reading
        Assert.True(status is null or HttpStatusCode.RequestTimeout, $"answered {status}");
        Assert.InRange(clock.Elapsed.TotalSeconds, 5, 60); // SR_MIN_UPLOAD_BYTES_PER_S=2000 after a 10 s grace
        await DatabaseDownTests.WaitForAsync(() => Task.FromResult(cluster.TempFiles().Length == 0), "the temp file to be removed", 5);
        Assert.Equal(0L, await cluster.ScalarAsync<long>("SELECT count(*) FROM layers WHERE city_id = 'stallpur'"));
    }

    [Fact]
    public async Task UploadTempSpaceFull_507WithRetryAfter_NothingPartial()
    {
        Assert.True(Environment.UserName == "root", "this test mounts a 1 MiB tmpfs as the upload temp space: run it as root (tools/test does)");
        var full = Gdal.TempDirectory();
        Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", full);
        try
        {
            var server = cluster.StartServer(("SR_TEMP_DIR", full));
            using var admin = await cluster.UserAsync("fault-admin", Core.Accounts.Role.Admin, server);
            await admin.CreateCityAsync("fullpur", "Fullpur");
            var response = await admin.UploadAsync("fullpur", FaultCity.ManyPoints(30_000), "points.geojsonl", "asset");
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.InsufficientStorage, $"{(int)response.StatusCode} {text}");
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.Contains("temporary space is full", text);
            Assert.Empty(Directory.GetFileSystemEntries(full));
            Assert.Equal(0L, await cluster.ScalarAsync<long>("SELECT count(*) FROM layers WHERE city_id = 'fullpur'"));
            // A file that fits still imports.
            Assert.Equal(HttpStatusCode.Created, (await admin.UploadAsync("fullpur", FaultCity.ManyPoints(100), "few.geojsonl", "asset")).StatusCode);
        }
        finally
        {
            Run("umount", full);
            Directory.Delete(full);
        }
    }

    private async Task<NpgsqlConnection> LockFeaturesAsync()
    {
        var holder = await cluster.ConnectAsync();
        await using (var begin = new NpgsqlCommand("BEGIN; LOCK TABLE features IN ACCESS EXCLUSIVE MODE", holder)) await begin.ExecuteNonQueryAsync();
        return holder;
    }

    private Task<long> WaitingBackendsAsync() =>
        cluster.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()");

    private static MultipartFormDataContent Multipart(HttpContent file, string name) => new()
    {
        { new StringContent("asset"), "kind" }, { new StringContent("CC BY 4.0"), "licence" }, { file, "file", name },
    };

    private static void Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)}: {errors}");
    }

    /// <summary>A request body that sends <c>first</c> bytes of a GeoJSON file at once, then a byte at a time at the given rate (0: never).</summary>
    private sealed class TricklingContent(int first, int bytesPerSecondAfter) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            var head = Encoding.UTF8.GetBytes("{\"type\":\"FeatureCollection\",\"features\":[" + new string(' ', first));
            await stream.WriteAsync(head, cancellationToken);
            await stream.FlushAsync(cancellationToken);
            while (true)
            {
                if (bytesPerSecondAfter == 0) await Task.Delay(Timeout.Infinite, cancellationToken);
                await Task.Delay(1000 / bytesPerSecondAfter, cancellationToken);
                await stream.WriteAsync(" "u8.ToArray(), cancellationToken);
                await stream.FlushAsync(cancellationToken);
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
