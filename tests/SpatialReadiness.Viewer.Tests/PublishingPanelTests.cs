using System.Net.Http.Json;
using Microsoft.Playwright;
using SpatialReadiness.Server.Tests.Infrastructure;
using SpatialReadiness.Viewer.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SpatialReadiness.Viewer.Tests;

/// <summary>The readiness panel shows the 4.b–4.d picture apart from the score, with an overdue layer flagged.</summary>
[Collection(ViewerCollection.Name)]
public sealed class PublishingPanelTests(ViewerFixture viewer)
{
    [Fact]
    public async Task The_readiness_panel_shows_what_the_city_publishes_and_flags_an_overdue_layer()
    {
        var server = viewer.Server;
        var set = await server.Admin.PatchAsJsonAsync($"/api/layers/{viewer.MumbaiSlums}/schedule", new { updateFrequency = "daily" });
        Assert.True(set.IsSuccessStatusCode, await set.Content.ReadAsStringAsync());
        await server.Database.ScalarAsync<int>("WITH u AS (UPDATE layer_versions SET imported_at = now() - interval '5 days' WHERE layer_id = $1 RETURNING 1) SELECT count(*)::int FROM u", viewer.MumbaiSlums);
        var picture = await viewer.GetJsonAsync($"/api/cities/{ViewerFixture.Mumbai}/publishing");

        await using var page = await viewer.OpenAsync($"/?city={ViewerFixture.Mumbai}");
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Readiness", Exact = true }).ClickAsync();

        var section = page.Page.Locator("#publishing");
        await Expect(section).ToContainTextAsync("Open-data publishing (DMAF 4.b–4.d)");
        await Expect(section).ToContainTextAsync("Not part of SRS-20");
        foreach (var item in picture.GetProperty("items").EnumerateArray())
            await Expect(section).ToContainTextAsync($"{item.GetProperty("code").GetString()} {item.GetProperty("title").GetString()}: {item.GetProperty("display").GetString()}");
        await Expect(page.Page.Locator("#overdue-layers .overdue")).ToContainTextAsync("Mumbai slum clusters (daily): due ");
        page.AssertNoErrors();
    }
}
