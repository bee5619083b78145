using System.Globalization;
using System.Text.RegularExpressions;
using SpatialReadiness.Viewer.Tests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace SpatialReadiness.Viewer.Tests;

/// <summary>
/// Crowd contribution with review in the browser (issue 7): a contributor signs in through the page and draws a slum
/// snapped to a ward edge; a moderator, in another browser, reviews and accepts it; tiles, OData and the contributor's
/// list show it at once. On <see cref="ContributionCity"/>: two wards split at <see cref="ContributionCity.WardEdge"/>, an editable slum layer.
/// </summary>
[Collection(ViewerCollection.Name)]
public sealed class ContributionTests(ViewerFixture viewer, ITestOutputHelper output)
{
    private const int Zoom = 17;
    private const double EdgeLat = 18.55, CentreLon = 73.851; // the view's centre: 0.00085° (about 80 px) east of the ward edge
    private const double EarthRadius = 6378137;

    [Fact]
    public async Task A_contributor_draws_a_slum_snapped_to_a_ward_edge_and_once_a_moderator_accepts_it_the_tiles_and_OData_have_it()
    {
        var city = await ContributionCity.CreateAsync(viewer.Server, "contribview");
        var licence = (await viewer.GetJsonAsync($"/api/layers/{city.Slums}")).GetProperty("licence").GetString()!;
        await using var contributor = await viewer.OpenAsync(FormattableString.Invariant($"/?city={city.City}&z={Zoom}&x={CentreLon:F5}&y={EdgeLat:F5}"));
        await contributor.SignInAsync("test-contributor");
        var page = contributor.Page;
        await page.Locator("#tool-contribute").ClickAsync();
        await Expect(page.Locator("#contrib-layer")).ToHaveValueAsync(city.Slums.ToString(CultureInfo.InvariantCulture));
        await Expect(page.Locator("#contrib-licence")).ToHaveValueAsync(licence); // the layer's, by default

        // A triangle east of the edge: its first vertex clicked 3 px off the edge (about 3.6 m), where Snap pulls it on.
        var map = (await page.Locator("#map").BoundingBoxAsync())!;
        var (cx, cy) = (map.X + map.Width / 2, map.Y + map.Height / 2);
        var edgeX = cx + PixelsEast(ContributionCity.WardEdge - CentreLon);
        await page.Locator("#contrib-draw").ClickAsync();
        await Expect(page.Locator("#contrib-status")).ToContainTextAsync("Drawing a new polygon"); // the wards are read: Snap has them
        await page.Mouse.MoveAsync((float)edgeX + 10, cy, new() { Steps = 4 });
        await page.Mouse.ClickAsync((float)edgeX + 3, cy);
        await page.Mouse.ClickAsync((float)edgeX + 60, cy - 50);
        await page.Mouse.DblClickAsync((float)edgeX + 60, cy + 50);
        await Expect(page.Locator("#contrib-status")).ToContainTextAsync("Drawn.");
        await page.GetByLabel("slum_id").FillAsync("S9");
        await page.GetByLabel("slum_name").FillAsync("Kranti Nagar");
        await page.GetByLabel("households").FillAsync("45");
        await page.GetByLabel("Comment").FillAsync("surveyed on foot, November");
        await contributor.ScreenshotAsync("contribution-drawn");
        await page.Locator("#contrib-submit").ClickAsync();
        await Expect(page.Locator("#contrib-status")).ToHaveTextAsync(new Regex(@"^Contribution \d+ to slums is pending"));
        await Expect(page.Locator("#contrib-findings li").First).ToBeVisibleAsync();
        var id = long.Parse(Regex.Match(await page.Locator("#contrib-status").InnerTextAsync(), @"\d+").Value, CultureInfo.InvariantCulture);
        await Expect(page.Locator($"#contrib-mine li[data-contribution='{id}']")).ToContainTextAsync("pending");
        await contributor.ScreenshotAsync("contribution-pending");

        // As sent: pending, the layer's licence, one vertex on the ward edge (within 1e-7°), the others well off it.
        var sent = await viewer.Server.Moderator.GetJsonAsync($"/api/contributions/{id}");
        Assert.Equal("pending", sent.GetProperty("state").GetString());
        Assert.Equal(licence, sent.GetProperty("licence").GetString());
        var after = sent.GetProperty("changes")[0].GetProperty("after");
        Assert.Equal(45, after.GetProperty("properties").GetProperty("households").GetInt32());
        var ring = after.GetProperty("geometry").GetProperty("coordinates")[0].EnumerateArray().Select(p => (Lon: p[0].GetDouble(), Lat: p[1].GetDouble())).ToList();
        Assert.Equal(4, ring.Count);
        var offEdge = ring.Take(3).Select(p => Math.Abs(p.Lon - ContributionCity.WardEdge)).Order().ToList();
        output.WriteLine($"vertices' distance from the ward edge: {string.Join(", ", offEdge.Select(d => d.ToString("E2", CultureInfo.InvariantCulture)))} degrees");
        Assert.True(offEdge[0] < 1e-7, $"a vertex is snapped onto the ward edge: {offEdge[0]:E2}° off");
        Assert.True(offEdge[1] > 1e-4, "the other vertices are where they were clicked");
        var centroid = (Lon: ring.Take(3).Average(p => p.Lon), Lat: ring.Take(3).Average(p => p.Lat));

        // Not public yet: neither in the tiles nor in OData.
        Assert.False(await InTileAsync(city.Slums, centroid), "a pending slum is not in the tiles");
        Assert.Equal(0, await ODataCountAsync(city.Slums));

        // The moderator, in a browser of their own: the queue, the before/after on the map, the attributes; accept.
        await using var moderator = await viewer.OpenAsync($"/?city={city.City}");
        await moderator.SignInAsync("test-moderator");
        var review = moderator.Page;
        await review.Locator("#tool-review").ClickAsync();
        await review.Locator($"#review-list button[data-contribution='{id}']").ClickAsync();
        await Expect(review.Locator("#review-detail")).ToContainTextAsync("create");
        await Expect(review.Locator("#review-detail")).ToContainTextAsync("Kranti Nagar");
        await Expect(review.Locator("#review-detail")).ToContainTextAsync("surveyed on foot, November");
        Assert.True(await moderator.PixelsWhenAsync(ProposedGreen, n => n > 200) > 200, "the proposed slum is drawn (green)");
        Assert.True(await moderator.CountPixelsAsync(Pixels.SlumFill) < 50, "no slum is in the tiles there yet");
        await moderator.ScreenshotAsync("contribution-review");
        await review.GetByLabel("Note to the contributor").FillAsync("Checked against the 2025 survey");
        await review.Locator("#review-accept").ClickAsync();
        await Expect(review.Locator("#review-status")).ToHaveTextAsync($"Contribution {id} accepted.");
        Assert.True(await moderator.PixelsWhenAsync(Pixels.SlumFill, n => n > 200) > 200, "the accepted slum is drawn from the refreshed tiles at once");
        await moderator.ScreenshotAsync("contribution-accepted");

        // Public at once: the tiles and OData have it; the contributor's list says accepted, with the note.
        Assert.True(await InTileAsync(city.Slums, centroid), "the accepted slum is in the tiles");
        Assert.Equal(1, await ODataCountAsync(city.Slums));
        await page.Locator("#contrib-mine-refresh").ClickAsync();
        await Expect(page.Locator($"#contrib-mine li[data-contribution='{id}']")).ToContainTextAsync("accepted");
        await Expect(page.Locator($"#contrib-mine li[data-contribution='{id}']")).ToContainTextAsync("accepted by test-moderator: Checked against the 2025 survey");
        await contributor.ScreenshotAsync("contribution-outcome");
        contributor.AssertNoErrors();
        moderator.AssertNoErrors();
    }

    [Fact]
    public async Task A_file_proposes_too_a_features_history_is_in_its_popup_a_contribution_can_be_reverted_and_a_conflict_shows_both_versions()
    {
        var city = await ContributionCity.CreateAsync(viewer.Server, "historyview");
        var server = viewer.Server;
        // S1 changed by an accepted contribution (its version 2); two proposals on S2's version 1, the first accepted.
        var edit = await server.Contributor.ProposedAsync(city.Slums, "households recounted", ContributionCity.Modify(city.S1, 1, "{\"households\":135}"));
        await server.Moderator.AcceptedAsync(edit.Id());
        var first = await server.Contributor.ProposedAsync(city.Slums, "status verified", ContributionCity.Modify(city.S2, 1, "{\"status\":\"notified\"}"));
        var second = await server.Contributor.ProposedAsync(city.Slums, "households recounted", ContributionCity.Modify(city.S2, 1, "{\"households\":95}"));
        await server.Moderator.AcceptedAsync(first.Id());

        // S1's popup (the view centred on it): History lists both versions; Revert proposes undoing the contribution.
        await using var contributor = await viewer.OpenAsync($"/?city={city.City}&z=17&x=73.82264&y=18.52266");
        await contributor.SignInAsync("test-contributor");
        var page = contributor.Page;

        // A file proposes too: a GeoJSON with a new slum, sent as multipart with the token.
        await page.Locator("#tool-contribute").ClickAsync();
        var newSlum = ContributionCity.Feature(ContributionCity.Slum("S7", "Bhim Nagar", "1", 60, "A. Jadhav"), ContributionCity.Square(73.83011, 18.53013, 73.83517, 18.53519));
        await page.Locator("#contrib-file").SetInputFilesAsync(new Microsoft.Playwright.FilePayload
        {
            Name = "survey.geojson", MimeType = "application/geo+json",
            Buffer = System.Text.Encoding.UTF8.GetBytes($"{{\"type\":\"FeatureCollection\",\"features\":[{newSlum}]}}"),
        });
        await page.GetByLabel("Comment").FillAsync("from the November survey file");
        await page.Locator("#contrib-file-submit").ClickAsync();
        await Expect(page.Locator("#contrib-status")).ToHaveTextAsync(new Regex(@"^Contribution \d+ to slums is pending"));
        var fromFile = await server.Moderator.GetJsonAsync($"/api/contributions/{Regex.Match(await page.Locator("#contrib-status").InnerTextAsync(), @"\d+").Value}");
        Assert.Equal("upload", fromFile.GetProperty("channel").GetString());
        Assert.Equal("create", fromFile.GetProperty("changes")[0].GetProperty("action").GetString());

        var map = (await page.Locator("#map").BoundingBoxAsync())!;
        await page.Mouse.ClickAsync(map.X + map.Width / 2, map.Y + map.Height / 2);
        var slum = page.Locator("#popup section", new() { Has = page.Locator("th", new() { HasTextString = "slum_name" }) });
        await Expect(slum).ToContainTextAsync("Ambedkar Nagar");
        await slum.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "History" }).ClickAsync();
        var versions = slum.Locator(".history li");
        await Expect(versions).ToHaveCountAsync(2);
        await Expect(versions.Nth(0)).ToContainTextAsync($"v2 · test-contributor (test-ngo)");
        await Expect(versions.Nth(0)).ToContainTextAsync($"contribution #{edit.Id()}");
        await Expect(versions.Nth(1)).ToContainTextAsync("v1");
        await Expect(versions.Nth(1)).ToContainTextAsync("as imported");
        await contributor.ScreenshotAsync("feature-history");
        await versions.Nth(0).GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = $"Revert #{edit.Id()}" }).ClickAsync();
        await Expect(slum.Locator(".history-status")).ToHaveTextAsync(new Regex(@"^Proposed as contribution \d+ \(pending\)"));
        var revert = long.Parse(Regex.Match(await slum.Locator(".history-status").InnerTextAsync(), @"\d+").Value, CultureInfo.InvariantCulture);
        var proposed = await server.Moderator.GetJsonAsync($"/api/contributions/{revert}");
        Assert.Equal(edit.Id(), proposed.GetProperty("reverts").GetInt64());
        Assert.Equal("pending", proposed.GetProperty("state").GetString());
        contributor.AssertNoErrors();

        // The moderator accepts the second S2 proposal: 409, and the panel shows S2 as it was, is and would be.
        await using var moderator = await viewer.OpenAsync($"/?city={city.City}");
        await moderator.SignInAsync("test-moderator");
        var review = moderator.Page;
        await review.Locator("#tool-review").ClickAsync();
        await review.Locator($"#review-list button[data-contribution='{second.Id()}']").ClickAsync();
        await review.Locator("#review-accept").ClickAsync();
        await Expect(review.Locator("#review-status")).ToContainTextAsync("Version conflict");
        await Expect(review.Locator("#review-detail")).ToContainTextAsync($"Feature {city.S2}: based on version 1, now version 2");
        var row = (string field) => review.Locator("#review-detail tr", new() { Has = review.Locator("th", new() { HasTextString = field }) }).Locator("td");
        await Expect(row("status")).ToHaveTextAsync(["identified", "notified", "identified"]);
        await Expect(row("households")).ToHaveTextAsync(["80", "80", "95"]);
        await moderator.ScreenshotAsync("contribution-conflict");
        Assert.True(await moderator.PixelsWhenAsync(ProposedGreen, n => n > 100) > 100, "the proposed version is drawn");
        Assert.All(moderator.Errors, e => Assert.Contains("409", e)); // the browser logs the refused request itself
    }

    /// <summary>The review layer's outline of a proposed feature: #2e7d32.</summary>
    private const string ProposedGreen = "g - r >= 50 && g - b >= 50 && r <= 110";

    /// <summary>Screen pixels east of the view's centre for a longitude difference, at <see cref="Zoom"/> (web mercator).</summary>
    private static double PixelsEast(double degrees) => EarthRadius * degrees * Math.PI / 180 / (2 * Math.PI * EarthRadius / 256 / Math.Pow(2, Zoom));

    /// <summary>Whether the public (anonymous) tile holding the point has the slum S9 in it.</summary>
    private async Task<bool> InTileAsync(long layer, (double Lon, double Lat) at)
    {
        var (z, x, y) = VectorTiles.TileOf(at.Lon, at.Lat, 16);
        var response = await viewer.Server.Client.GetAsync($"/tiles/{layer}/{z}/{x}/{y}.mvt");
        if (response.StatusCode == System.Net.HttpStatusCode.NoContent) return false;
        var tile = VectorTiles.Decode(await response.Content.ReadAsByteArrayAsync(), z, x, y);
        return tile.Layers.SelectMany(l => l.Features).Any(f => f.Attributes.Exists("slum_id") && Equals(f.Attributes["slum_id"], "S9"));
    }

    /// <summary>How many slums called S9 the public OData feed has in the layer.</summary>
    private async Task<int> ODataCountAsync(long layer) =>
        (await viewer.Server.Client.GetJsonAsync($"/odata/Features?$filter=LayerId eq {layer} and slum_id eq 'S9'")).GetProperty("value").GetArrayLength();
}
