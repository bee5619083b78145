using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.OgcFeatures;

/// <summary>The HTML pages of /ogc as a person on a phone or desktop browser reads them: a viewport, a map, linked $refs.</summary>
[Collection(PostgisCollection.Name)]
public sealed partial class OgcHtmlTests(ServerFixture server) : IAsyncLifetime
{
    private const string City = "ogc-html", Wards = City + "__wards";
    private readonly HttpClient _client = server.Client;

    public async Task InitializeAsync()
    {
        if ((await _client.GetAsync($"/api/cities/{City}")).IsSuccessStatusCode) return;
        await server.Admin.CreateCityAsync(City);
        await server.Admin.UploadAsync(City, SharedData.Path("pune/pune-electoral-wards_2022.geojson"), "ward", ("name", "wards")).CreatedLayerAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [GeneratedRegex(@"<path d=""([^""]+)""")]
    private static partial Regex SvgPath();

    [GeneratedRegex(@"-?\d+(\.\d+)?")]
    private static partial Regex Number();

    /// <summary>The shapes the page's map draws; asserts every coordinate lies in the map's 480 x 320 box.</summary>
    private async Task<int> MappedShapesAsync(string url)
    {
        var html = await _client.GetStringAsync(url);
        Assert.Contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">", html);
        Assert.Contains("<svg class=\"map\"", html);
        var paths = SvgPath().Matches(html).Select(m => m.Groups[1].Value).ToList();
        foreach (var path in paths)
        {
            var numbers = Number().Matches(path).Select(n => double.Parse(n.Value, CultureInfo.InvariantCulture)).ToList();
            for (var i = 0; i + 1 < numbers.Count; i += 2)
            {
                Assert.InRange(numbers[i], 0, 480);
                Assert.InRange(numbers[i + 1], 0, 320);
            }
        }
        return paths.Count;
    }

    [Fact]
    public async Task Collection_items_and_item_pages_have_a_viewport_and_a_map_of_what_they_show()
    {
        Assert.Equal(58, await MappedShapesAsync($"/ogc/collections/{Wards}?f=html"));
        Assert.Equal(5, await MappedShapesAsync($"/ogc/collections/{Wards}/items?f=html&limit=5"));
        var id = (await _client.GetJsonAsync($"/ogc/collections/{Wards}/items?limit=1")).GetProperty("features")[0].GetProperty("id").GetInt64();
        Assert.Equal(1, await MappedShapesAsync($"/ogc/collections/{Wards}/items/{id}?f=html"));
    }

    [Fact]
    public async Task The_API_document_page_links_every_ref_to_what_it_names()
    {
        var json = await _client.GetStringAsync("/ogc/api");
        var refs = Regex.Matches(json, "\"\\$ref\"\\s*:\\s*\"(#[^\"]+)\"").Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.NotEmpty(refs);
        var html = await _client.GetStringAsync("/ogc/api?f=html");
        Assert.Contains("name=\"viewport\"", html);
        foreach (var target in refs)
        {
            Assert.Contains($"<a href=\"{WebUtility.HtmlEncode(target)}\">", html);
            Assert.Contains($" id=\"{WebUtility.HtmlEncode(target[1..])}\"", html);
        }
    }
}
