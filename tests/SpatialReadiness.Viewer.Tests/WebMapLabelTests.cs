using SpatialReadiness.Cli.Demo;
using SpatialReadiness.Viewer.Tests.Infrastructure;

namespace SpatialReadiness.Viewer.Tests;

/// <summary>
/// The web map (OpenLayers with ol-mapbox-style) draws labels on its canvas with the fonts the styles name, the same
/// Noto fonts MapLibre GL JS gets as glyphs: declared by the page (@font-face, the server's /fonts/files when the
/// reader's machine lacks them), so nothing is fetched from a font CDN.
/// </summary>
[Collection(ViewerCollection.Name)]
public sealed class WebMapLabelTests(ViewerFixture viewer)
{
    [Fact]
    public async Task Ward_numbers_are_drawn_in_the_styles_font_with_nothing_fetched_from_another_site()
    {
        await using var page = await viewer.OpenAsync($"/?city={DemoCity.Id}");

        Assert.True(await page.PixelsWhenAsync(Pixels.WardLabel, n => n > 40) > 40, "the ward numbers are drawn");
        // The label font is the one the style names, available to the canvas (declared by the page, local or from the server).
        Assert.True(await page.Page.EvaluateAsync<bool>("() => document.fonts.check('700 14px \"Noto Sans\"', '12')"), "Noto Sans Bold is not available to the map");
        Assert.Equal(0, await page.Page.Locator("link[href*='fontsource'], link[href*='googleapis']").CountAsync());
        var server = viewer.Server.BaseAddress.GetLeftPart(UriPartial.Authority);
        Assert.All(page.ResponseUrls.Where(u => u.StartsWith("http", StringComparison.Ordinal)), url => Assert.StartsWith(server, url));
        await page.ScreenshotAsync("demo-city-ward-labels");
        page.AssertNoErrors();
    }
}
