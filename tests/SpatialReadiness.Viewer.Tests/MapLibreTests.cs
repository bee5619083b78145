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
/// the page and the library; Chromium loads a layer's style by URL, its tiles, and another layer from its TileJSON,
/// all cross-origin from the map server.
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

    [Fact]
    public async Task A_MapLibre_page_on_another_site_shows_a_layer_by_its_style_and_another_by_its_TileJSON()
    {
        var layers = (await viewer.GetJsonAsync("/api/cities/demopur/layers")).EnumerateArray().ToList();
        JsonElement Layer(string kind) => layers.Single(l => l.GetProperty("kind").GetString() == kind);
        var assets = Layer("asset");
        var wards = Layer("ward");
        var box = wards.GetProperty("bbox").EnumerateArray().Select(v => v.GetDouble()).ToArray();

        await using var site = await StartOtherSiteAsync();
        var siteAddress = site.Urls.Single();
        var server = viewer.Server.BaseAddress.ToString().TrimEnd('/');
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
        var query = string.Create(CultureInfo.InvariantCulture,
            $"?server={Uri.EscapeDataString(server)}&style=asset&layer={assets.GetProperty("id")}&tilejson={wards.GetProperty("id")}&mvtLayer={wards.GetProperty("name").GetString()}&lon={(box[0] + box[2]) / 2}&lat={(box[1] + box[3]) / 2}&zoom=13");
        await page.GotoAsync(siteAddress + "/" + query);
        await page.WaitForFunctionAsync("() => window.result !== undefined", null, new PageWaitForFunctionOptions { Timeout = 90_000 });
        var result = JsonDocument.Parse(await page.EvaluateAsync<string>("() => JSON.stringify(window.result)")).RootElement;

        Assert.True(result.GetProperty("errors").GetArrayLength() == 0, $"MapLibre reported errors: {result}");
        Assert.True(result.GetProperty("styleFeatures").GetInt32() > 0, $"no asset drawn from the style's tiles: {result}");
        Assert.True(result.GetProperty("addedFeatures").GetInt32() > 0, $"no ward drawn from the TileJSON's tiles: {result}");
        Assert.Equal(16, result.GetProperty("addedMaxzoom").GetInt32());
        // The tiles came from the map server, asked for by the other site's page.
        Assert.Contains(viewer.Server.Requests, r => r.StartsWith($"GET /tiles/{assets.GetProperty("id")}/13/", StringComparison.Ordinal));
        Assert.Contains(viewer.Server.Requests, r => r.StartsWith($"GET /tiles/{wards.GetProperty("id")}/13/", StringComparison.Ordinal));
    }
}
