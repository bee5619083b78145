using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Playwright;
using SpatialReadiness.Viewer.Tests.Infrastructure;

namespace SpatialReadiness.Viewer.Tests;

/// <summary>
/// MapLibre GL JS (from npm) on a page of another site: a second small static server on another loopback port serves
/// the page and the library; Chromium loads a layer's style by URL, its tiles and its label glyphs, and another layer
/// from its TileJSON, all cross-origin from the map server. Labels are checked by their colour's pixels on the canvas;
/// screenshots go to TestResults/viewer/maplibre-*.png.
/// </summary>
[Collection(ViewerCollection.Name)]
public sealed class MapLibreTests(ViewerFixture viewer)
{
    private static string ClientDirectory => Path.Combine(ViewerFixture.RepositoryRoot, "tests/clients/maplibre");

    /// <summary>The other site: index.html and MapLibre's dist/ under /maplibre-gl, on a free port.</summary>
    private static async Task<WebApplication> StartOtherSiteAsync()
    {
        var dist = Path.Combine(ClientDirectory, "node_modules/maplibre-gl/dist");
        Assert.True(Directory.Exists(dist), $"{dist} is missing: tools/setup installs MapLibre GL JS (npm install --prefix tests/clients/maplibre).");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var site = builder.Build();
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".mjs"] = "text/javascript";
        site.UseDefaultFiles(new DefaultFilesOptions { FileProvider = new PhysicalFileProvider(ClientDirectory) });
        site.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(ClientDirectory), ContentTypeProvider = types });
        site.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(dist), RequestPath = "/maplibre-gl", ContentTypeProvider = types });
        await site.StartAsync();
        return site;
    }

    /// <summary>The page on the other site, with the map server's layers as <paramref name="query"/> says; what it reports, and the console's errors and glyph warnings.</summary>
    private async Task<(JsonElement Result, IReadOnlyList<string> Console)> ShowAsync(string query, string screenshot)
    {
        await using var site = await StartOtherSiteAsync();
        var siteAddress = site.Urls.Single();
        Assert.NotEqual(new Uri(siteAddress).Port, viewer.Server.BaseAddress.Port);

        using var playwright = await Playwright.CreateAsync();
        // WebGL in headless Chromium without a GPU: ANGLE's SwiftShader, software rendering.
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ViewerFixture.Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--disable-background-networking", "--no-first-run"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 800, Height = 600 } });
        var console = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" || (message.Type == "warning" && message.Text.Contains("glyph", StringComparison.OrdinalIgnoreCase)))
                lock (console) console.Add($"{message.Type}: {message.Text} ({message.Location})");
        };
        var server = viewer.Server.BaseAddress.ToString().TrimEnd('/');
        await page.GotoAsync($"{siteAddress}/?server={Uri.EscapeDataString(server)}&{query}");
        await page.WaitForFunctionAsync("() => window.result !== undefined", null, new PageWaitForFunctionOptions { Timeout = 90_000 });
        var result = JsonDocument.Parse(await page.EvaluateAsync<string>("() => JSON.stringify(window.result)")).RootElement.Clone();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ViewerPage.ScreenshotDirectory, $"maplibre-{screenshot}.png") });
        if (result.TryGetProperty("labelledImage", out var labelled)) // the canvas before its labels were hidden
            await File.WriteAllBytesAsync(Path.Combine(ViewerPage.ScreenshotDirectory, $"maplibre-{screenshot}-labels.png"), Convert.FromBase64String(labelled.GetString()!.Split(',')[1]));
        Assert.True(result.GetProperty("errors").GetArrayLength() == 0, $"MapLibre reported errors: {result}");
        lock (console) Assert.True(console.Count == 0, $"the console says: {string.Join(" | ", console)}");
        return (result, console);
    }

    private async Task<List<JsonElement>> LayersAsync() => (await viewer.GetJsonAsync("/api/cities/demopur/layers")).EnumerateArray().ToList();

    private static string At(double lon, double lat, double zoom) => string.Create(CultureInfo.InvariantCulture, $"lon={lon}&lat={lat}&zoom={zoom}");

    [Fact]
    public async Task A_MapLibre_page_on_another_site_shows_a_layer_by_its_style_and_another_by_its_TileJSON()
    {
        var layers = await LayersAsync();
        var assets = layers.Single(l => l.GetProperty("kind").GetString() == "asset");
        var wards = layers.Single(l => l.GetProperty("kind").GetString() == "ward");
        var box = wards.GetProperty("bbox").EnumerateArray().Select(v => v.GetDouble()).ToArray();

        var (result, _) = await ShowAsync($"style=asset&layer={assets.GetProperty("id")}&tilejson={wards.GetProperty("id")}&mvtLayer={wards.GetProperty("name").GetString()}&{At((box[0] + box[2]) / 2, (box[1] + box[3]) / 2, 13)}", "assets");

        Assert.True(result.GetProperty("styleFeatures").GetInt32() > 0, $"no asset drawn from the style's tiles: {result}");
        Assert.True(result.GetProperty("addedFeatures").GetInt32() > 0, $"no ward drawn from the TileJSON's tiles: {result}");
        Assert.Equal(16, result.GetProperty("addedMaxzoom").GetInt32());
        // The tiles came from the map server, asked for by the other site's page.
        Assert.Contains(viewer.Server.Requests, r => r.StartsWith($"GET /tiles/{assets.GetProperty("id")}/13/", StringComparison.Ordinal));
        Assert.Contains(viewer.Server.Requests, r => r.StartsWith($"GET /tiles/{wards.GetProperty("id")}/13/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_ward_style_draws_ward_numbers_at_city_zoom_with_the_servers_glyphs()
    {
        var wards = (await LayersAsync()).Single(l => l.GetProperty("kind").GetString() == "ward");
        var box = wards.GetProperty("bbox").EnumerateArray().Select(v => v.GetDouble()).ToArray();

        var (result, _) = await ShowAsync($"style=ward&layer={wards.GetProperty("id")}&{At((box[0] + box[2]) / 2, (box[1] + box[3]) / 2, 12)}&label=ward-label&colour=1d3a63", "wards-z12");

        Assert.Equal($"{viewer.Server.BaseAddress.ToString().TrimEnd('/')}/fonts/{{fontstack}}/{{range}}.pbf", result.GetProperty("glyphs").GetString());
        Assert.True(result.GetProperty("labels").GetInt32() >= 3, $"fewer than 3 ward numbers placed at city zoom: {result}");
        // The numbers are drawn: their colour is on the canvas around the label points, and gone with the label layer hidden.
        Assert.True(result.GetProperty("labelPixels").GetInt32() > 30, $"the ward numbers' colour is not on the map: {result}");
        Assert.Equal(0, result.GetProperty("labelPixelsHidden").GetInt32());
        // Their glyphs came from the map server, asked for by the other site's page.
        var glyphRequests = viewer.Server.Requests.Where(r => r.StartsWith("GET /fonts/", StringComparison.Ordinal)).ToList();
        Assert.True(glyphRequests.Any(r => Uri.UnescapeDataString(r).StartsWith("GET /fonts/Noto Sans Bold,", StringComparison.Ordinal) && r.EndsWith("/0-255.pbf", StringComparison.Ordinal)), string.Join(" | ", glyphRequests));
    }

    [Fact]
    public async Task Slum_names_leave_city_zoom_to_the_ward_numbers_and_appear_zoomed_in()
    {
        var slums = (await LayersAsync()).Single(l => l.GetProperty("kind").GetString() == "slum");
        var slum = (await viewer.GetJsonAsync($"/ogc/collections/demopur__{slums.GetProperty("name").GetString()}/items?limit=1&f=json")).GetProperty("features")[0];
        var ring = slum.GetProperty("geometry").GetProperty("coordinates").EnumerateArray().First();
        if (slum.GetProperty("geometry").GetProperty("type").GetString() == "MultiPolygon") ring = ring.EnumerateArray().First();
        var points = ring.EnumerateArray().Select(c => (Lon: c[0].GetDouble(), Lat: c[1].GetDouble())).ToList();
        var (lon, lat) = (points.Average(c => c.Lon), points.Average(c => c.Lat));
        var layer = $"style=slum&layer={slums.GetProperty("id")}&label=slum-label&colour=6b2a0c&tolerance=60"; // 11 px regular strokes are thin; the outline (#a8461a) is 69 away

        var (city, _) = await ShowAsync($"{layer}&{At(lon, lat, 12)}", "slums-z12");
        Assert.True(city.GetProperty("styleFeatures").GetInt32() > 0, $"no slum drawn at city zoom: {city}");
        Assert.Equal(0, city.GetProperty("labels").GetInt32());

        var (near, _) = await ShowAsync($"{layer}&{At(lon, lat, 15)}", "slums-z15");
        Assert.True(near.GetProperty("labels").GetInt32() > 0, $"no slum named at zoom 15: {near}");
        Assert.True(near.GetProperty("labelPixels").GetInt32() > 20, $"the slum names' colour is not on the map: {near}");
        Assert.Equal(0, near.GetProperty("labelPixelsHidden").GetInt32());
    }
}
