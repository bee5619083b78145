using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SpatialReadiness.Cli.Demo;
using SpatialReadiness.Viewer.Tests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace SpatialReadiness.Viewer.Tests;

/// <summary>
/// The web map as a planner uses it, in Debian's Chromium against the real server and PostGIS: what the page shows,
/// draws and sends, on the demo city and the real Mumbai slums and Jaipur wards. Screenshots go to TestResults/viewer.
/// </summary>
[Collection(ViewerCollection.Name)]
public sealed class ViewerTests(ViewerFixture viewer, ITestOutputHelper output)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private async Task<Dictionary<string, JsonElement>> DemoLayersAsync() =>
        (await viewer.GetJsonAsync($"/api/cities/{DemoCity.Id}/layers")).EnumerateArray().ToDictionary(l => l.GetProperty("name").GetString()!);

    [Fact]
    public async Task The_page_loads_the_demo_city_with_no_console_errors_and_draws_every_layer_from_its_tiles()
    {
        await using var page = await viewer.OpenAsync($"/?city={DemoCity.Id}");
        output.WriteLine($"first render of {DemoCity.Id}: {page.FirstRenderMs} ms after navigation start (cold browser context, test machine under load)");

        foreach (var layer in (await DemoLayersAsync()).Values)
        {
            var id = layer.GetProperty("id").GetInt64();
            Assert.Contains(200, page.TileStatuses(id));
            var checkbox = page.Page.Locator($"input[data-layer-id='{id}']");
            await Expect(checkbox).ToBeCheckedAsync();
            Assert.Contains(layer.GetProperty("title").GetString()!, await page.Page.Locator($"label[for='layer-{id}']").InnerTextAsync());
        }
        Assert.True(await page.PixelsWhenAsync(Pixels.WardOutline, n => n > 500) > 500, "ward outlines are drawn");
        Assert.True(await page.PixelsWhenAsync(Pixels.SlumFill, n => n > 200) > 200, "slums are drawn");
        Assert.True(page.Requested($"/api/cities/{DemoCity.Id}/findings"), "the findings layer is loaded");
        await Expect(page.Page.Locator("#legend")).ToContainTextAsync("Demopur slums");
        await page.ScreenshotAsync("demo-city-1366x768");

        page.AssertNoErrors();

        // At phone width: nothing wider than the screen, every tool on it, the map drawn, panels as a sheet over it.
        await using var phone = await viewer.OpenAsync($"/?city={DemoCity.Id}", 390, 844);
        Assert.True(await phone.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 390"), "nothing is wider than a phone");
        foreach (var tool in new[] { "city", "tool-layers", "tool-readiness", "tool-upload", "tool-table", "tool-distance", "tool-area" })
            await Expect(phone.Page.Locator($"#{tool}")).ToBeInViewportAsync();
        Assert.True(await phone.PixelsWhenAsync(Pixels.WardOutline, n => n > 200) > 200, "the map is drawn at phone width");
        await phone.ScreenshotAsync("demo-city-390x844");
        await phone.Page.Locator("#tool-layers").ClickAsync();
        await Expect(phone.Page.Locator("#panel-layers")).ToBeInViewportAsync();
        await phone.ScreenshotAsync("demo-city-390x844-layers");
        phone.AssertNoErrors();
    }

    [Fact]
    public async Task Layers_toggle_and_fade_and_the_link_remembers_them()
    {
        var layers = await DemoLayersAsync();
        var slums = layers["slums"].GetProperty("id").GetInt64();
        var wards = layers["wards"].GetProperty("id").GetInt64();
        await using var page = await viewer.OpenAsync($"/?city={DemoCity.Id}");
        await page.PixelsWhenAsync(Pixels.SlumFill, n => n > 200);
        var drawn = await page.SettledPixelsAsync(Pixels.SlumFill);
        Assert.True(drawn > 200, $"slums drawn: {drawn} pixels");

        await page.Page.Locator($"input[data-layer-id='{slums}']").UncheckAsync();
        var hidden = await page.PixelsWhenAsync(Pixels.SlumFill, n => n < drawn / 20);
        Assert.True(hidden < drawn / 20, $"slums hidden: {hidden} of {drawn} pixels left");
        var link = await page.LinkAsync();
        Assert.DoesNotContain(slums.ToString(Invariant), link["layers"].Split(','));
        Assert.Contains(wards.ToString(Invariant), link["layers"].Split(','));

        await page.Page.Locator($"input[data-layer-id='{slums}']").CheckAsync();
        Assert.True(await page.PixelsWhenAsync(Pixels.SlumFill, n => n > drawn * 9 / 10) > drawn * 9 / 10, "slums shown again");

        await page.Page.GetByLabel("Opacity of Demopur wards").FillAsync("30");
        Assert.Contains($"{wards}:30", (await page.LinkAsync())["layers"].Split(','));
        page.AssertNoErrors();
    }

    [Fact]
    public async Task Clicking_a_Mumbai_slum_shows_its_polyno()
    {
        // A valid slum that no other slum touches, and a point inside it.
        var (polyno, lon, lat) = await MumbaiSlumAsync("ORDER BY ST_Area(f.geom::geography) DESC LIMIT 1");
        await using var page = await viewer.OpenAsync(FormattableString.Invariant($"/?city={ViewerFixture.Mumbai}&z=18&x={lon:F6}&y={lat:F6}"));
        Assert.Contains(200, page.TileStatuses(viewer.MumbaiSlums));

        var map = (await page.Page.Locator("#map").BoundingBoxAsync())!;
        await page.Page.Mouse.ClickAsync(map.X + map.Width / 2, map.Y + map.Height / 2);
        var popup = page.Page.Locator("#popup");
        await Expect(popup).ToContainTextAsync("Mumbai slum clusters");
        await Expect(popup.Locator("tr", new() { Has = page.Page.Locator("th", new() { HasTextString = "polyno" }) }).Locator("td")).ToHaveTextAsync(polyno);
        await page.ScreenshotAsync("mumbai-slum-popup");
        page.AssertNoErrors();
    }

    [Fact]
    public async Task The_attribute_table_filters_searches_and_sorts_in_the_server_and_zooms_to_a_row()
    {
        var (polyno, _, _) = await MumbaiSlumAsync("ORDER BY (f.attributes->>'polyno')::int LIMIT 1 OFFSET 100");
        var containing254 = await viewer.Server.Database.ScalarAsync<long>(
            "SELECT count(*) FROM features WHERE layer_id = $1 AND attributes->>'polyno' LIKE '%254%'", viewer.MumbaiSlums);
        var highest = await viewer.Server.Database.ScalarAsync<int>("SELECT max((attributes->>'polyno')::int) FROM features WHERE layer_id = $1", viewer.MumbaiSlums);
        await using var page = await viewer.OpenAsync($"/?city={ViewerFixture.Mumbai}");
        var status = page.Page.Locator("#table-status");
        var rows = page.Page.Locator("#table-grid tbody tr");

        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Attribute table of Mumbai slum clusters" }).ClickAsync();
        await Expect(status).ToHaveTextAsync("Rows 1–50 of 2,542");
        await Expect(rows).ToHaveCountAsync(50);

        await page.Page.Locator("#table-filter-field").SelectOptionAsync("polyno");
        await page.Page.Locator("#table-filter-op").SelectOptionAsync("=");
        await page.Page.Locator("#table-filter-value").FillAsync(polyno);
        await page.Page.Locator("#table-apply").ClickAsync();
        await Expect(status).ToHaveTextAsync("Rows 1–1 of 1 (2,542 in the layer)");
        await Expect(rows.Locator("td").Nth(1)).ToHaveTextAsync(polyno);

        await page.Page.Locator("#table-clear").ClickAsync();
        await page.Page.Locator("#table-search").FillAsync("254");
        await page.Page.Locator("#table-search").PressAsync("Enter");
        await Expect(status).ToContainTextAsync($"of {containing254} (2,542 in the layer)");

        await page.Page.Locator("#table-clear").ClickAsync();
        var sort = page.Page.GetByRole(AriaRole.Button, new() { Name = "polyno", Exact = true });
        await sort.ClickAsync();
        await Expect(rows.First.Locator("td").Nth(1)).ToHaveTextAsync("0");
        await sort.ClickAsync();
        await Expect(page.Page.Locator("th[aria-sort='descending']")).ToHaveTextAsync("polyno ▼");
        await Expect(rows.First.Locator("td").Nth(1)).ToHaveTextAsync(highest.ToString(Invariant));
        await page.Page.Locator("#table-next").ClickAsync();
        await Expect(status).ToHaveTextAsync("Rows 51–100 of 2,542");
        await Expect(rows.First.Locator("td").Nth(1)).ToHaveTextAsync((highest - 50).ToString(Invariant));

        await rows.First.GetByRole(AriaRole.Button).ClickAsync();
        Assert.True(await page.PixelsWhenAsync(Pixels.Highlight, n => n > 20) > 20, "the row's slum is outlined");
        await Expect(page.Page).ToHaveURLAsync(new Regex(@"[?&]z=(1[5-9]|2\d)\."));
        await Expect(page.Page.Locator("#table-export-csv")).ToHaveAttributeAsync("href", $"/api/layers/{viewer.MumbaiSlums}/export?format=csv");
        await page.ScreenshotAsync("mumbai-attribute-table");
        page.AssertNoErrors();
    }

    [Fact]
    public async Task The_readiness_panel_shows_the_score_of_the_API_and_the_findings_on_the_map()
    {
        var score = await viewer.GetJsonAsync($"/api/cities/{DemoCity.Id}/readiness");
        var findings = await viewer.GetJsonAsync($"/api/cities/{DemoCity.Id}/findings?limit=1");
        await using var page = await viewer.OpenAsync($"/?city={DemoCity.Id}");

        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Readiness", Exact = true }).ClickAsync();
        await Expect(page.Page.Locator("#srs20")).ToHaveTextAsync(score.GetProperty("srs20").GetDouble().ToString("0.00", Invariant));
        await Expect(page.Page.Locator("#srs100")).ToHaveTextAsync(score.GetProperty("srs100").GetDouble().ToString("0.0", Invariant));
        foreach (var layer in score.GetProperty("layers").EnumerateArray())
            await Expect(page.Page.Locator("#readiness-body")).ToContainTextAsync($"{layer.GetProperty("title").GetString()} ({layer.GetProperty("kind").GetString()})");
        await Expect(page.Page.Locator("#readiness-body")).ToContainTextAsync("OUTSIDE_CITY: Outside the city boundary");
        await Expect(page.Page.Locator("#findings-count")).ToContainTextAsync($"{findings.GetProperty("numberMatched").GetInt64()} findings");

        // The findings layer: on, it adds its markers to the map; off, they go (and the layer switcher agrees).
        var toggle = page.Page.GetByLabel("Show the findings on the map");
        await Expect(toggle).ToBeCheckedAsync();
        var withFindings = await page.PixelsWhenAsync(Pixels.Finding, n => n > 100);
        await toggle.UncheckAsync();
        var withoutFindings = await page.PixelsWhenAsync(Pixels.Finding, n => n < withFindings - 100);
        Assert.True(withFindings > withoutFindings + 100, $"findings drawn: {withFindings} pixels with the layer, {withoutFindings} without");
        Assert.Equal("0", (await page.LinkAsync())["findings"]);
        await toggle.CheckAsync();
        await Expect(page.Page.Locator("#layer-findings-Findings")).ToBeCheckedAsync();
        await page.ScreenshotAsync("demo-readiness");

        // A finding from the list: the offending feature outlined, the detail at its place.
        var finding = page.Page.Locator("button.finding", new() { HasTextString = "OUTSIDE_CITY" }).First;
        var detail = (await finding.InnerTextAsync()).Split(": ", 2)[1];
        await finding.ClickAsync();
        await Expect(page.Page.Locator("#popup .finding-detail")).ToHaveTextAsync(detail);
        Assert.True(await page.PixelsWhenAsync(Pixels.Highlight, n => n > 20) > 20, "the offending feature is outlined");
        await page.ScreenshotAsync("demo-finding");
        page.AssertNoErrors();
    }

    [Fact]
    public async Task Uploading_the_Jaipur_wards_zipped_Shapefile_shows_them_and_their_findings_on_the_map()
    {
        var zip = SharedData.Path("jaipur/Jaipur_Wards-SHP.zip");
        await using var page = await viewer.OpenAsync($"/?city={ViewerFixture.Jaipur}");
        Assert.Equal(0, await page.CountPixelsAsync(Pixels.WardOutline));

        await page.SignInAsync("test-admin"); // uploads need a moderator or admin
        await page.Page.Locator("#tool-upload").ClickAsync();
        await page.Page.Locator("#upload-file").SetInputFilesAsync(zip);
        await page.Page.GetByLabel("Kind").SelectOptionAsync("ward");
        await page.Page.GetByLabel("Licence", new() { Exact = true }).FillAsync("CC BY-SA 2.5 IN");
        await page.Page.Locator("#upload-submit").ClickAsync();
        await Expect(page.Page.Locator("#upload-status")).ToHaveTextAsync(new Regex("^Imported Jaipur_Wards-SHP: 77 features, checked\\.$"), new() { Timeout = 120_000 });

        var layer = (await viewer.GetJsonAsync($"/api/cities/{ViewerFixture.Jaipur}/layers")).EnumerateArray().Single();
        var id = layer.GetProperty("id").GetInt64();
        await Expect(page.Page.Locator($"input[data-layer-id='{id}']")).ToBeCheckedAsync();
        await Expect(page.Page.Locator($"label[for='layer-{id}']")).ToContainTextAsync("77");
        Assert.True(await page.PixelsWhenAsync(Pixels.WardOutline, n => n > 500) > 500, "the uploaded wards are drawn");
        Assert.Contains(200, page.TileStatuses(id));

        var score = await viewer.GetJsonAsync($"/api/cities/{ViewerFixture.Jaipur}/readiness");
        var findings = await viewer.GetJsonAsync($"/api/cities/{ViewerFixture.Jaipur}/findings?limit=1");
        Assert.True(findings.GetProperty("numberMatched").GetInt64() > 0);
        Assert.True(page.Requested($"/api/cities/{ViewerFixture.Jaipur}/findings"), "the findings layer is loaded");
        await page.Page.Locator("#tool-readiness").ClickAsync();
        await Expect(page.Page.Locator("#srs20")).ToHaveTextAsync(score.GetProperty("srs20").GetDouble().ToString("0.00", Invariant));
        await Expect(page.Page.Locator("#findings-count")).ToContainTextAsync($"{findings.GetProperty("numberMatched").GetInt64()} findings");
        Assert.True(await page.PixelsWhenAsync(Pixels.Finding, n => n > 20) > 20, "the findings are drawn");
        await page.ScreenshotAsync("jaipur-uploaded-wards");
        page.AssertNoErrors();
    }

    [Fact]
    public async Task An_upload_the_server_refuses_says_why()
    {
        await using var page = await viewer.OpenAsync($"/?city={ViewerFixture.Jaipur}");
        var status = page.Page.Locator("#upload-status");

        // Signed out: the server's 401, as a sentence.
        await page.Page.Locator("#tool-upload").ClickAsync();
        await page.Page.Locator("#upload-file").SetInputFilesAsync(new FilePayload { Name = "slums.geojson", MimeType = "application/geo+json", Buffer = "{\"type\":\"FeatureCollection\",\"features\":[]}"u8.ToArray() });
        await page.Page.GetByLabel("Kind").SelectOptionAsync("slum");
        await page.Page.GetByLabel("Licence", new() { Exact = true }).FillAsync("CC BY 4.0");
        await page.Page.Locator("#upload-submit").ClickAsync();
        await Expect(status).ToHaveTextAsync("You need to sign in to upload layers (HTTP 401).");
        await Expect(status).ToHaveClassAsync(new Regex("error"));

        await page.SignInAsync("test-moderator");
        await page.Page.Locator("#tool-upload").ClickAsync();

        // A file the import cannot read: the server's reason, with where it is.
        await page.Page.Locator("#upload-file").SetInputFilesAsync(new FilePayload { Name = "broken.geojson", MimeType = "application/geo+json", Buffer = "{ \"type\": \"FeatureCollection\", \"features\": [ {"u8.ToArray() });
        await page.Page.GetByLabel("Kind").SelectOptionAsync("slum");
        await page.Page.GetByLabel("Licence", new() { Exact = true }).FillAsync("CC BY 4.0");
        await page.Page.Locator("#upload-submit").ClickAsync();
        await Expect(status).ToHaveTextAsync(new Regex("^The import failed: malformed JSON at line 1"));
        await Expect(status).ToHaveClassAsync(new Regex("error"));

        // An RFC 9457 problem answer: its title and detail.
        await page.Page.RouteAsync("**/api/cities/*/layers", route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 422, ContentType = "application/problem+json",
            Body = "{\"title\":\"The input cannot be stored as given\",\"status\":422,\"detail\":\"coordinates look like EPSG:3857 web-mercator metres\"}",
        }));
        await page.Page.Locator("#upload-submit").ClickAsync();
        await Expect(status).ToHaveTextAsync("The input cannot be stored as given: coordinates look like EPSG:3857 web-mercator metres");
        await page.Page.UnrouteAllAsync();
    }

    [Fact]
    public async Task Every_control_is_reachable_by_keyboard_and_has_a_name()
    {
        await using var page = await viewer.OpenAsync($"/?city={DemoCity.Id}");
        var reached = new HashSet<string>();
        for (var i = 0; i < 40; i++)
        {
            await page.Page.Keyboard.PressAsync("Tab");
            reached.Add(await page.Page.EvaluateAsync<string>("() => document.activeElement.id || document.activeElement.getAttribute('title') || document.activeElement.tagName"));
        }
        foreach (var id in new[] { "city", "tool-layers", "tool-readiness", "tool-upload", "tool-table", "tool-distance", "tool-area", "map", "Zoom in", "Zoom out" })
            Assert.Contains(id, reached);
        var slums = (await DemoLayersAsync())["slums"].GetProperty("id").GetInt64();
        Assert.Contains($"layer-{slums}", reached);

        var unnamed = await page.Page.EvaluateAsync<string[]>(@"() => [...document.querySelectorAll('button, input, select, a[href], [tabindex]')]
            .filter(e => e.offsetParent !== null && !e.closest('[hidden]'))
            .filter(e => !(e.getAttribute('aria-label') || e.getAttribute('title') || (e.labels && e.labels.length) || e.textContent.trim()))
            .map(e => e.outerHTML.slice(0, 80))");
        Assert.Empty(unnamed);

        // Keys do what the mouse does: open a panel, zoom the focused map.
        await page.Page.Locator("#tool-readiness").FocusAsync();
        await page.Page.Keyboard.PressAsync("Enter");
        await Expect(page.Page.Locator("#panel-readiness")).ToBeVisibleAsync();
        var zoom = double.Parse((await page.LinkAsync())["z"], Invariant);
        await page.Page.Locator("#map").FocusAsync();
        await page.Page.Keyboard.PressAsync("+");
        await Expect(page.Page).ToHaveURLAsync(new Regex(FormattableString.Invariant($"z={zoom + 1:F2}")));
        page.AssertNoErrors();
    }

    [Fact]
    public async Task Measuring_gives_the_distance_and_area_on_the_ground()
    {
        const double lat = 20.9, zoom = 16;
        await using var page = await viewer.OpenAsync(FormattableString.Invariant($"/?city={DemoCity.Id}&z={zoom}&x=75.8&y={lat}"));
        var metresPerPixel = 2 * Math.PI * 6378137 / 256 / Math.Pow(2, zoom) * Math.Cos(lat * Math.PI / 180);
        var map = (await page.Page.Locator("#map").BoundingBoxAsync())!;
        var (cx, cy) = (map.X + map.Width / 2, map.Y + map.Height / 2);
        var label = page.Page.Locator(".measure-label");

        await page.Page.Locator("#tool-distance").ClickAsync();
        await Expect(page.Page.Locator("#tool-distance")).ToHaveAttributeAsync("aria-pressed", "true");
        await page.Page.Mouse.ClickAsync(cx - 100, cy);
        await page.Page.Mouse.DblClickAsync(cx + 100, cy);
        await Expect(label).ToHaveTextAsync(new Regex(@"^\d+(\.\d)? m$"));
        var metres = double.Parse((await label.InnerTextAsync()).Split(' ')[0].Replace(",", ""), Invariant);
        Assert.InRange(metres, 200 * metresPerPixel * 0.99, 200 * metresPerPixel * 1.01);

        await page.Page.Locator("#tool-area").ClickAsync();
        await page.Page.Mouse.ClickAsync(cx - 100, cy - 100);
        await page.Page.Mouse.ClickAsync(cx + 100, cy - 100);
        await page.Page.Mouse.ClickAsync(cx + 100, cy + 100);
        await page.Page.Mouse.DblClickAsync(cx - 100, cy + 100);
        await Expect(label).ToContainTextAsync(" ha (");
        var squareMetres = double.Parse(Regex.Match(await label.InnerTextAsync(), @"\(([\d,]+) m²\)").Groups[1].Value.Replace(",", ""), Invariant);
        Assert.InRange(squareMetres, Math.Pow(200 * metresPerPixel, 2) * 0.98, Math.Pow(200 * metresPerPixel, 2) * 1.02);
        await page.ScreenshotAsync("demo-measure-area");
        await page.Page.Keyboard.PressAsync("Escape");
        await Expect(page.Page.Locator("#tool-area")).ToHaveAttributeAsync("aria-pressed", "false");
        page.AssertNoErrors();
    }

    [Fact]
    public async Task A_shared_link_opens_the_same_city_layers_and_view()
    {
        var layers = await DemoLayersAsync();
        long Id(string name) => layers[name].GetProperty("id").GetInt64();
        var link = FormattableString.Invariant($"/?city={DemoCity.Id}&layers={Id("boundary")},{Id("wards")}:50&findings=0&z=14.50&x=75.80000&y=20.90000");
        await using var page = await viewer.OpenAsync(link);

        await Expect(page.Page.Locator($"input[data-layer-id='{Id("slums")}']")).Not.ToBeCheckedAsync();
        await Expect(page.Page.Locator($"input[data-layer-id='{Id("assets")}']")).Not.ToBeCheckedAsync();
        await Expect(page.Page.Locator($"input[data-layer-id='{Id("wards")}']")).ToBeCheckedAsync();
        await Expect(page.Page.GetByLabel("Opacity of Demopur wards")).ToHaveValueAsync("50");
        await Expect(page.Page.GetByLabel("Findings", new() { Exact = true })).Not.ToBeCheckedAsync();
        Assert.True(await page.PixelsWhenAsync(Pixels.WardOutlineHalf, n => n > 200) > 200, "wards are drawn at half opacity");
        Assert.True(await page.CountPixelsAsync(Pixels.WardOutline) < 50, "wards are not drawn at full opacity");
        Assert.True(await page.CountPixelsAsync(Pixels.SlumFill) < 20, "slums are off");
        var kept = await page.LinkAsync();
        Assert.Equal("14.50", kept["z"]);
        Assert.Equal("75.80000", kept["x"]);
        Assert.Equal("20.90000", kept["y"]);
        page.AssertNoErrors();
    }

    [Fact]
    public async Task A_configured_basemap_is_drawn_under_the_layers_with_its_attribution()
    {
        // As a deployment with SR_BASEMAP_URL would answer (ViewerEndpointTests check the setting itself), and its tiles.
        var context = await viewer.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 768 } });
        await context.RouteAsync("**/api/viewer/config", route => route.FulfillAsync(new RouteFulfillOptions
        {
            ContentType = "application/json",
            Body = "{\"basemap\":{\"url\":\"/basemap-test/{z}/{x}/{y}.svg\",\"attribution\":\"Test basemap\"},\"maxUploadMb\":8}",
        }));
        await context.RouteAsync("**/basemap-test/**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            ContentType = "image/svg+xml",
            Body = "<svg xmlns='http://www.w3.org/2000/svg' width='256' height='256'><rect width='256' height='256' fill='#ff00ff'/></svg>",
        }));
        await using var page = new ViewerPage(await context.NewPageAsync(), viewer.Server.BaseAddress);
        await page.GotoAsync($"/?city={DemoCity.Id}");

        Assert.True(await page.PixelsWhenAsync(Pixels.TestBasemap, n => n > 50_000) > 50_000, "the basemap tiles are drawn");
        Assert.True(await page.PixelsWhenAsync(Pixels.WardOutline, n => n > 500) > 500, "the layers are drawn over it");
        await Expect(page.Page.Locator("input#layer-basemap-Basemap-tiles")).ToBeCheckedAsync();
        await Expect(page.Page.Locator(".ol-attribution")).ToContainTextAsync("Test basemap");
        page.AssertNoErrors();
    }

    /// <summary>A valid Mumbai slum no other slum touches (ordered and picked by <paramref name="orderAndPick"/>): its polyno and a point inside it.</summary>
    private async Task<(string Polyno, double Lon, double Lat)> MumbaiSlumAsync(string orderAndPick)
    {
        await using var command = viewer.Server.Database.DataSource.CreateCommand($"""
            SELECT f.attributes->>'polyno', ST_X(ST_PointOnSurface(f.geom)), ST_Y(ST_PointOnSurface(f.geom)) FROM features f
            WHERE f.layer_id = $1 AND ST_IsValid(f.geom)
              AND NOT EXISTS (SELECT 1 FROM features o WHERE o.layer_id = f.layer_id AND o.id <> f.id AND ST_DWithin(o.geom, f.geom, 0.0002))
            {orderAndPick}
            """);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = viewer.MumbaiSlums });
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), "no isolated valid slum found");
        return (reader.GetString(0), reader.GetDouble(1), reader.GetDouble(2));
    }
}
