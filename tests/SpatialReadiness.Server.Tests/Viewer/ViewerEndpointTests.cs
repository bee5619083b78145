using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using SpatialReadiness.Server.Tests.Infrastructure;
using SpatialReadiness.Server.Viewer;

namespace SpatialReadiness.Server.Tests.Viewer;

/// <summary>
/// What the web map reads from the server besides the data: its page, its settings, and the MapLibre styles, which
/// any MapLibre client can use to draw a layer from one URL. The page itself is tested in a browser (Viewer.Tests).
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class ViewerEndpointTests(ServerFixture server) : IAsyncLifetime
{
    private const string City = "viewer-styles";
    private readonly HttpClient _client = server.Client;
    private long _wards, _secret;

    public async Task InitializeAsync()
    {
        // Published by the admin; everything below is read anonymously, as the page is.
        if (!(await _client.GetAsync($"/api/cities/{City}")).IsSuccessStatusCode) await server.Admin.CreateCityAsync(City);
        // Ward fields as a city names them: the style's canonical ward_no must read "Ward No".
        const string wards = """
            {"type":"FeatureCollection","features":[
             {"type":"Feature","properties":{"Ward No":"7","NAME":"Shivaji Nagar","phone":"98200"},"geometry":{"type":"Polygon","coordinates":[[[73.85,18.52],[73.86,18.52],[73.86,18.53],[73.85,18.53],[73.85,18.52]]]}}]}
            """;
        _wards = (await server.Admin.UploadAsync(City, Encoding.UTF8.GetBytes(wards), "wards.geojson", "ward", ("name", "wards"), ("sensitiveFields", "phone")).CreatedLayerAsync()).GetProperty("id").GetInt64();
        _secret = (await server.Admin.UploadAsync(City, Encoding.UTF8.GetBytes(wards), "households.geojson", "slum", ("name", "households"), ("sensitive", "true")).CreatedLayerAsync()).GetProperty("id").GetInt64();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task There_is_one_style_per_layer_kind_and_one_for_findings()
    {
        var styles = await _client.GetJsonAsync("/styles");
        Assert.Equal(["asset", "boundary", "findings", "other", "slum", "ward"], styles.EnumerateArray().Select(s => s.GetProperty("id").GetString()!));
        foreach (var style in styles.EnumerateArray())
        {
            var document = await _client.GetJsonAsync(style.GetProperty("url").GetString()!);
            Assert.Equal(8, document.GetProperty("version").GetInt32());
            Assert.NotEmpty(document.GetProperty("layers").EnumerateArray());
        }
    }

    [Fact]
    public async Task A_ward_layer_without_numbers_is_labelled_by_name_and_its_label_points_carry_the_name()
    {
        const string named = """
            {"type":"FeatureCollection","features":[
             {"type":"Feature","properties":{"ward_name":"Kasba Peth"},"geometry":{"type":"Polygon","coordinates":[[[73.85,18.52],[73.86,18.52],[73.86,18.53],[73.85,18.53],[73.85,18.52]]]}}]}
            """;
        var layer = (await server.Admin.UploadAsync(City, Encoding.UTF8.GetBytes(named), "named.geojson", "ward", ("name", "named")).CreatedLayerAsync()).GetProperty("id").GetInt64();
        var style = await _client.GetJsonAsync($"/styles/ward?layer={layer}");
        var label = style.GetProperty("layers").EnumerateArray().Single(l => l.GetProperty("type").GetString() == "symbol");
        Assert.Equal("[\"get\",\"ward_name\"]", label.GetProperty("layout").GetProperty("text-field").ToString());
        Assert.Equal("named_labels", label.GetProperty("source-layer").GetString());

        var (z, x, y) = VectorTiles.TileOf(73.855, 18.525, 8);
        var tile = VectorTiles.Decode(await _client.GetByteArrayAsync($"/tiles/{layer}/{z}/{x}/{y}.mvt"), z, x, y);
        Assert.Equal("Kasba Peth", tile.Layers.Single(l => l.Name == "named_labels").Features.Single().Attributes["ward_name"]);
    }

    [Fact]
    public async Task A_style_bound_to_a_layer_draws_its_tiles_and_reads_its_own_field_names()
    {
        var style = await _client.GetJsonAsync($"/styles/ward?layer={_wards}");
        var tiles = style.GetProperty("sources").GetProperty("layer").GetProperty("tiles")[0].GetString()!;
        Assert.Equal(new Uri(server.BaseAddress, $"/tiles/{_wards}/{{z}}/{{x}}/{{y}}.mvt").ToString(), tiles);
        // Shapes from the layer's MVT layer, the label from its label points, reading the layer's own ward number field.
        Assert.Equal(["wards", "wards", "wards_labels"], style.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("source-layer").GetString()));
        var label = style.GetProperty("layers").EnumerateArray().Single(l => l.GetProperty("type").GetString() == "symbol").GetProperty("layout").GetProperty("text-field").ToString();
        Assert.Equal("[\"get\",\"Ward No\"]", label);

        var (z, x, y) = VectorTiles.TileOf(73.855, 18.525, 14);
        var tile = await _client.GetAsync(tiles.Replace("{z}", $"{z}").Replace("{x}", $"{x}").Replace("{y}", $"{y}"));
        Assert.Equal(HttpStatusCode.OK, tile.StatusCode);
        Assert.Contains("Shivaji Nagar", VectorTiles.Decode(await tile.Content.ReadAsByteArrayAsync(), z, x, y).Layers.Single(l => l.Name == "wards").Features.Single().Attributes["NAME"]?.ToString());
    }

    [Fact]
    public async Task The_findings_style_reads_a_citys_findings()
    {
        var style = await _client.GetJsonAsync($"/styles/findings?city={City}");
        Assert.Equal(new Uri(server.BaseAddress, $"/api/cities/{City}/findings?limit=10000").ToString(),
            style.GetProperty("sources").GetProperty("findings").GetProperty("data").GetString());
    }

    [Theory]
    [InlineData("/styles/roads", HttpStatusCode.NotFound, "the styles are asset, boundary, findings, other, slum, ward")]
    [InlineData("/styles/ward?layer=987654", HttpStatusCode.NotFound, "layer 987654 does not exist")]
    [InlineData("/styles/ward?city=" + City, HttpStatusCode.BadRequest, "bound to a layer")]
    [InlineData("/styles/findings?layer=1", HttpStatusCode.BadRequest, "bound to a city")]
    [InlineData("/styles/findings?city=atlantis", HttpStatusCode.NotFound, "city 'atlantis' does not exist")]
    public async Task A_style_that_cannot_be_made_is_a_problem_saying_why(string url, HttpStatusCode status, string detail)
    {
        var response = await _client.GetAsync(url);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(detail, (await response.JsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_sensitive_layer_has_no_style()
    {
        var response = await _client.GetAsync($"/styles/slum?layer={_secret}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode); // as if it did not exist
    }

    [Fact]
    public async Task The_viewer_settings_say_there_is_no_basemap_unless_one_is_configured()
    {
        var config = await _client.GetJsonAsync("/api/viewer/config");
        Assert.Equal(JsonValueKind.Null, config.GetProperty("basemap").ValueKind);
        Assert.Equal(ServerFixture.MaxUploadMb, config.GetProperty("maxUploadMb").GetInt32());

        static IConfiguration Settings(params (string Key, string Value)[] values) =>
            new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();
        var configured = ViewerOptions.Bind(Settings(("Viewer:BasemapUrl", "https://tiles.example/{z}/{x}/{y}.png"), ("SR_BASEMAP_ATTRIBUTION", "© the city")));
        Assert.Equal("https://tiles.example/{z}/{x}/{y}.png", configured.BasemapUrl);
        Assert.Equal("© the city", configured.BasemapAttribution);
        var wrong = Assert.Throws<InvalidOperationException>(() => ViewerOptions.Bind(Settings(("SR_BASEMAP_URL", "https://tiles.example/tile.png"))));
        Assert.Contains("{z}, {x} and {y}", wrong.Message);
    }

    [Fact]
    public async Task The_viewer_page_is_served_at_the_root_and_its_hashed_assets_are_cached_for_good()
    {
        var page = await _client.GetAsync("/?city=demopur");
        Assert.True(page.StatusCode == HttpStatusCode.OK, "the viewer is built into wwwroot/app by tools/setup; without it / answers 503");
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", page.Headers.CacheControl?.ToString());
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("id=\"map\"", html);

        var script = System.Text.RegularExpressions.Regex.Match(html, "src=\"(/app/assets/[^\"]+\\.js)\"").Groups[1].Value;
        var asset = await _client.GetAsync(script);
        Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        Assert.Equal("public, max-age=31536000, immutable", asset.Headers.CacheControl?.ToString());
    }
}
