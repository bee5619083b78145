using Microsoft.Playwright;
using SpatialReadiness.Cli.Demo;
using SpatialReadiness.Viewer.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SpatialReadiness.Viewer.Tests;

/// <summary>
/// The readiness report a city submits as DMAF evidence, as Chromium shows and prints it: the city's name in the
/// title, a map per rule with findings drawn by the server (inline SVG, so it prints), the downloads, and the print
/// stylesheet. The screenshot (TestResults/viewer/demo-report.png) shows the first rule's map.
/// </summary>
[Collection(ViewerCollection.Name)]
public sealed class ReportTests(ViewerFixture viewer)
{
    // The report's maps rasterised in the page as the browser draws them; pixels of the error red (#c62828).
    private const string RedPixelsOfMaps = """
        async () => {
          let n = 0;
          for (const svg of [...document.querySelectorAll('figure.map svg')].slice(0, 3)) {
            const img = new Image();
            img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(new XMLSerializer().serializeToString(svg));
            await img.decode();
            const canvas = document.createElement('canvas');
            canvas.width = img.width; canvas.height = img.height;
            const ctx = canvas.getContext('2d');
            ctx.drawImage(img, 0, 0);
            const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 0; i < data.length; i += 4) if (data[i] >= 110 && data[i] - data[i + 2] >= 90 && data[i + 1] <= 180) n++;
          }
          return n;
        }
        """;

    [Fact]
    public async Task The_report_names_the_city_draws_a_map_per_rule_and_prints_without_navigation()
    {
        await using var page = await viewer.OpenAsync($"/?city={DemoCity.Id}");
        await page.Page.GotoAsync(new Uri(viewer.Server.BaseAddress, $"/api/cities/{DemoCity.Id}/readiness/report").ToString());

        await Expect(page.Page.Locator("h1")).ToHaveTextAsync($"Spatial readiness of {DemoCity.Name} ({DemoCity.Id})");
        Assert.True(await page.Page.Locator("figure.map svg").CountAsync() >= 3, "a map for each rule with findings");
        var red = await page.Page.EvaluateAsync<int>(RedPixelsOfMaps);
        Assert.True(red > 50, $"the maps draw the findings in red: {red} pixels");
        await Expect(page.Page.Locator("article.rule").First.Locator("a", new() { HasTextString = "CSV" })).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("format=csv"));

        await page.Page.Locator("figure.map").First.ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync("demo-report");
        await page.Page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
        await Expect(page.Page.Locator("nav")).ToBeHiddenAsync();
        // The report runs no script; the only request it makes beyond itself is Chromium's own /favicon.ico.
        Assert.All(page.Errors, e => Assert.Contains("404", e));
    }
}
