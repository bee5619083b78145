using System.Net;
using System.Text;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.OgcFeatures;

/// <summary>sortby on /items (the attribute table's sort), paged by offset, with filters.</summary>
[Collection(PostgisCollection.Name)]
public sealed class OgcSortTests(ServerFixture server) : IAsyncLifetime
{
    private const string City = "ogc-sort";
    private const string Items = $"/ogc/collections/{City}__slums/items";
    private readonly HttpClient _client = server.Client;

    public async Task InitializeAsync()
    {
        if ((await _client.GetAsync($"/api/cities/{City}")).IsSuccessStatusCode) return;
        await server.Admin.CreateCityAsync(City);
        var features = string.Join(",", Enumerable.Range(0, 7).Select(i =>
            $$$"""{"type":"Feature","properties":{"slum_name":"{{{(char)('A' + (i * 3 % 7))}}} nagar","households":{{{(i * 5 % 7) * 10}}}},"geometry":{"type":"Point","coordinates":[73.85{{{i}}},18.52]}}"""));
        await server.Admin.UploadAsync(City, Encoding.UTF8.GetBytes($$"""{"type":"FeatureCollection","features":[{{features}}]}"""), "slums.geojson", "slum", ("name", "slums")).CreatedLayerAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static IEnumerable<long> Households(System.Text.Json.JsonElement page) =>
        page.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("properties").GetProperty("households").GetInt64());

    [Fact]
    public async Task Items_sort_by_a_field_descending_and_page_on_by_offset()
    {
        var first = await _client.GetJsonAsync($"{Items}?f=json&limit=3&sortby=-households");
        Assert.Equal([60, 50, 40], Households(first));
        var next = first.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("rel").GetString() == "next").GetProperty("href").GetString()!;
        Assert.Contains("offset=3", next);
        Assert.Contains("sortby=-households", next);
        Assert.Equal([30, 20, 10], Households(await _client.GetJsonAsync(next)));
    }

    [Fact]
    public async Task Sorting_combines_with_a_filter_and_sorts_text_too()
    {
        var page = await _client.GetJsonAsync($"{Items}?f=json&sortby=%2Bslum_name&filter={Uri.EscapeDataString("households >= 30")}");
        var names = page.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("properties").GetProperty("slum_name").GetString()).ToList();
        Assert.Equal(4, names.Count);
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
    }

    [Theory]
    [InlineData("sortby=-population", "'population' is not a sortable property")]
    [InlineData("sortby=households&after=3", "with sortby, page with offset")]
    public async Task A_sort_it_cannot_do_is_a_400_saying_why(string query, string detail)
    {
        var response = await _client.GetAsync($"{Items}?f=json&{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(detail, await response.Content.ReadAsStringAsync());
    }
}
