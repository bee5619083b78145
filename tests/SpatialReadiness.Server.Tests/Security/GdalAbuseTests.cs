using System.Net;
using System.Text;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.Ingest;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Security;

/// <summary>
/// GDAL under abuse: request values never reach ogr2ogr as options, its runs are bounded (anonymous downloads get the
/// smallest share and a 503 with Retry-After past it), its own error output is logged, not echoed; and an import
/// job's status is for the one who started it and the layer's moderators only.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class GdalAbuseTests(ServerFixture server) : IAsyncLifetime
{
    private const string City = "gdal-abuse";
    private long _layer;

    private const string Gml = """
        <?xml version="1.0" encoding="utf-8" ?>
        <ogr:FeatureCollection xmlns:ogr="http://ogr.maptools.org/" xmlns:gml="http://www.opengis.net/gml">
          <gml:featureMember><ogr:assets fid="assets.0">
            <ogr:geometryProperty><gml:Point srsName="EPSG:4326"><gml:coordinates>73.85,18.52</gml:coordinates></gml:Point></ogr:geometryProperty>
            <ogr:asset_id>A1</ogr:asset_id>
          </ogr:assets></gml:featureMember>
        </ogr:FeatureCollection>
        """;

    public async Task InitializeAsync()
    {
        if (!(await server.Client.GetAsync($"/api/cities/{City}")).IsSuccessStatusCode) await server.Admin.CreateCityAsync(City);
        var existing = await server.Client.GetJsonAsync($"/api/cities/{City}/layers");
        _layer = existing.GetArrayLength() > 0 ? existing[0].GetProperty("id").GetInt64()
            : (await server.Admin.UploadAsync(City, Encoding.UTF8.GetBytes(Gml), "assets.gml", "asset", ("name", "assets")).CreatedLayerAsync()).GetProperty("id").GetInt64();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("-sql")]
    [InlineData("-overwrite")]
    [InlineData("--config")]
    public async Task A_sublayer_beginning_with_a_dash_is_refused_before_GDAL_runs(string sublayer)
    {
        var import = await server.Admin.UploadAsync(City, Encoding.UTF8.GetBytes(Gml), "dash.gml", "asset", ("name", "dash"), ("sublayer", sublayer));
        Assert.Equal(HttpStatusCode.BadRequest, import.StatusCode);
        Assert.Contains("may not begin with '-'", (await import.JsonAsync()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync($"/ogc/collections/{City}__dash")).StatusCode);
    }

    [Fact]
    public async Task GDALs_own_error_output_is_not_echoed_the_client_is_told_in_words()
    {
        var broken = await server.Admin.UploadAsync(City, Encoding.UTF8.GetBytes("<not gml"), "broken.gml", "asset", ("name", "broken"));
        var missing = await server.Admin.UploadAsync(City, Encoding.UTF8.GetBytes(Gml), "other.gml", "asset", ("name", "other"), ("sublayer", "nosuch"));
        foreach (var (response, words) in new[] { (broken, "cannot open it as that format"), (missing, "no layer of that name") })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var detail = (await response.JsonAsync()).GetProperty("detail").GetString()!;
            Assert.Contains(words, detail);
            foreach (var raw in (string[])["ERROR 1", "FAILURE", "/tmp", "driver", "->", "Couldn't fetch"])
                Assert.DoesNotContain(raw, detail);
        }
    }

    [Fact]
    public async Task Anonymous_GDAL_downloads_get_the_smallest_share_and_429_with_Retry_After_past_it()
    {
        var url = $"/api/layers/{_layer}/export?format=gpkg";
        using var anonymous = new HttpClient { BaseAddress = server.BaseAddress };
        using (Ogr2Ogr.Reserve(anonymous: true)) // the anonymous share (1 by default) is taken
        {
            var refused = await anonymous.GetAsync(url);
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.False(refused.Content.Headers.Contains("Content-Disposition"));
            Assert.Contains("sign in", (await refused.JsonAsync()).GetProperty("detail").GetString());
            // A signed-in reader still has slots.
            var signedIn = await server.Moderator.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(url)).StatusCode);

        // A flood of anonymous Shapefile downloads: every answer is a download or a 429 with Retry-After (from the
        // GDAL share or the feed limit, whichever is reached first), and no more than the
        // anonymous share of ogr2ogr processes ever runs for them.
        var maxAnonymous = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                maxAnonymous = Math.Max(maxAnonymous, Ogr2Ogr.Running.Anonymous);
                await Task.Delay(2);
            }
        });
        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => anonymous.GetAsync($"/api/layers/{_layer}/export?format=shp")));
        await sampling.CancelAsync();
        await sampler;
        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.OK), a => Assert.True(a.Headers.RetryAfter?.Delta > TimeSpan.Zero));
        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.OK);
        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.Equal(1, maxAnonymous);
        Assert.Equal((0, 0), Ogr2Ogr.Running);
    }

    [Fact]
    public async Task A_GDAL_run_past_its_time_is_killed_and_the_client_told_so()
    {
        var limits = Ogr2Ogr.Limits;
        Ogr2Ogr.Limits = limits with { Timeout = TimeSpan.FromMilliseconds(1) };
        try
        {
            var stopped = await server.Moderator.GetAsync($"/api/layers/{_layer}/export?format=gpkg");
            Assert.Equal(HttpStatusCode.UnprocessableEntity, stopped.StatusCode);
            Assert.Contains("was stopped", (await stopped.JsonAsync()).GetProperty("detail").GetString());
        }
        finally
        {
            Ogr2Ogr.Limits = limits;
        }
        Assert.Equal((0, 0), Ogr2Ogr.Running);
        Assert.Equal(0, ChildOgr2Ogr()); // killed, not left running
    }

    /// <summary>ogr2ogr processes whose parent is this process (the server runs in it), from /proc/*/stat: "pid (comm) state ppid ...".</summary>
    private static int ChildOgr2Ogr() => Directory.GetDirectories("/proc").Count(d =>
    {
        try { return File.ReadAllText(Path.Combine(d, "stat")) is var stat && stat.Contains("(ogr2ogr)") && stat.Split(' ')[3] == Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture); }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    });

    [Fact]
    public async Task An_import_jobs_status_is_for_its_requester_and_the_layers_moderators_only()
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent("asset"), "kind" }, { new StringContent("CC0"), "licence" }, { new StringContent("jobs"), "name" },
            { new StringContent(ServerFixture.CityOrg), "owner" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(Gml)), "file", "jobs.gml" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/cities/{City}/layers") { Content = form };
        request.Headers.Add("Prefer", "respond-async");
        var started = await server.Admin.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var job = started.Headers.Location!.ToString();
        for (var i = 0; i < 100 && (await server.Admin.GetJsonAsync(job)).GetProperty("status").GetString() == "running"; i++) await Task.Delay(50);

        using var otherModerator = await server.UserAsync("gdal-other-moderator", Role.Moderator, ServerFixture.NgoOrg);
        using var viewer = await server.UserAsync("gdal-viewer", Role.Viewer, null);
        using var anonymous = new HttpClient { BaseAddress = server.BaseAddress };
        foreach (var stranger in new[] { anonymous, server.Contributor, otherModerator, viewer })
        {
            var hidden = await stranger.GetAsync(job);
            Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
            Assert.DoesNotContain("jobs.gml", await hidden.Content.ReadAsStringAsync());
        }
        var unknown = await server.Contributor.GetAsync($"/api/imports/{Guid.NewGuid()}");
        Assert.Equal((await unknown.JsonAsync()).GetProperty("title").GetString(), (await (await anonymous.GetAsync(job)).JsonAsync()).GetProperty("title").GetString());
        Assert.Equal("succeeded", (await server.Admin.GetJsonAsync(job)).GetProperty("status").GetString()); // the requester
        Assert.Equal("jobs.gml", (await server.Moderator.GetJsonAsync(job)).GetProperty("fileName").GetString()); // the owner's moderator
    }
}
