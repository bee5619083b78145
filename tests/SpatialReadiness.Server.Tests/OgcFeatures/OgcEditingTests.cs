using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.OgcFeatures;

/// <summary>
/// Part 4 editing as QGIS does it over HTTP: OPTIONS to learn what is allowed, POST/PUT/PATCH/DELETE without If-Match,
/// Content-Crs when not CRS84. Every write is checked against what GET, the layer's metadata and its tiles show after.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class OgcEditingTests(ServerFixture server)
{
    private readonly HttpClient _client = server.Client;

    // A moderator of the organisation that owns the layer: edits apply at once (a layer is moderated only by its owner's moderators).
    private readonly HttpClient _editor = server.Moderator;

    private const string Points = """
        {"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"name":"Shaniwar Wada","kind":"heritage","phone":"9800000001"},"geometry":{"type":"Point","coordinates":[73.8553,18.5195]}},
          {"type":"Feature","properties":{"name":"Pune Station","kind":"transport","phone":"9800000002"},"geometry":{"type":"Point","coordinates":[73.8745,18.5289]}}]}
        """;

    private async Task<(string Items, long LayerId)> EditableLayerAsync(string city, bool editable = true)
    {
        await server.Admin.CreateCityAsync(city, "Pune");
        var layer = await server.Admin.UploadAsync(city, Encoding.UTF8.GetBytes(Points), "places.geojson", "asset",
            ("name", "places"), ("editable", editable ? "true" : "false"), ("sensitiveFields", "phone"), ("owner", ServerFixture.CityOrg)).CreatedLayerAsync();
        return ($"/ogc/collections/{city}__places/items", layer.GetProperty("id").GetInt64());
    }

    private static StringContent GeoJson(string json, string type = "application/geo+json") => new(json, Encoding.UTF8, type);

    private async Task<int> MatchedAsync(string items) => (await _client.GetJsonAsync(items + "?limit=1")).GetProperty("numberMatched").GetInt32();

    [Fact]
    public async Task Options_offers_post_on_editable_layers_and_read_only_layers_refuse_writes_with_405()
    {
        var (items, _) = await EditableLayerAsync("ogc-edit-options");
        var options = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Options, items));
        Assert.Equal(["GET", "HEAD", "POST", "OPTIONS"], options.Content.Headers.Allow);
        var id = (await _client.GetJsonAsync(items)).GetProperty("features")[0].GetProperty("id").GetInt64();
        var one = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Options, $"{items}/{id}"));
        Assert.Equal(["GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"], one.Content.Headers.Allow);

        var (readOnly, _) = await EditableLayerAsync("ogc-edit-readonly", editable: false);
        var readOptions = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Options, readOnly));
        Assert.Equal(["GET", "HEAD", "OPTIONS"], readOptions.Content.Headers.Allow);
        var post = await _editor.PostAsync(readOnly, GeoJson("""{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[73.86,18.52]}}"""));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal(["GET", "HEAD", "OPTIONS"], post.Content.Headers.Allow);
        Assert.Equal("application/problem+json", post.Content.Headers.ContentType!.MediaType);
        Assert.Equal(2, await MatchedAsync(readOnly));
    }

    [Fact]
    public async Task Create_replace_update_and_delete_change_what_get_tiles_and_the_layer_show()
    {
        var (items, layerId) = await EditableLayerAsync("ogc-edit-crud");
        var (z, x, y) = VectorTiles.TileOf(73.8600, 18.5250, 14);
        var tileBefore = await _client.GetAsync($"/tiles/{layerId}/{z}/{x}/{y}.mvt");

        // Create, as QGIS: no If-Match; the sensitive field may be written.
        var created = await _editor.PostAsync(items, GeoJson("""{"type":"Feature","properties":{"name":"Kasba Ganpati","kind":"heritage","phone":"9800000003"},"geometry":{"type":"Point","coordinates":[73.8600,18.5250]}}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var location = created.Headers.Location!;
        Assert.Matches(@"/ogc/collections/ogc-edit-crud__places/items/\d+$", location.ToString());
        var feature = await _client.GetAsync(location);
        // The editor (a moderator of the owner) sees the sensitive field, so their ETag is their own view's.
        var etag = (await _editor.GetAsync(location)).Headers.ETag!;
        Assert.False(etag.IsWeak);
        Assert.NotEqual(feature.Headers.ETag, etag);
        var body = await feature.JsonAsync();
        Assert.Equal("Kasba Ganpati", body.GetProperty("properties").GetProperty("name").GetString());
        Assert.False(body.GetProperty("properties").TryGetProperty("phone", out _)); // written, never read back
        Assert.Equal(3, await MatchedAsync(items));
        var layer = await _client.GetJsonAsync($"/api/layers/{layerId}");
        Assert.Equal(2, layer.GetProperty("version").GetInt32());
        Assert.Equal(3, layer.GetProperty("featureCount").GetInt64());

        // The tile cache dropped the layer before POST answered: the tile now has the new point, under a new ETag.
        var tileAfter = await _client.GetAsync($"/tiles/{layerId}/{z}/{x}/{y}.mvt");
        Assert.NotEqual(tileBefore.Headers.ETag, tileAfter.Headers.ETag);
        var tile = VectorTiles.Decode(await tileAfter.Content.ReadAsByteArrayAsync(), z, x, y);
        var newId = long.Parse(location.Segments[^1], CultureInfo.InvariantCulture);
        Assert.Contains(tile.Layers[0].Features, f => Convert.ToInt64(f.Attributes["id"], CultureInfo.InvariantCulture) == newId);

        // Replace with the current ETag: accepted, new ETag. Then the stale ETag: 412, and nothing changes.
        using (var put = new HttpRequestMessage(HttpMethod.Put, location) { Content = GeoJson("""{"type":"Feature","properties":{"name":"Kasba Ganapati","kind":"temple"},"geometry":{"type":"Point","coordinates":[73.8601,18.5251]}}""") })
        {
            put.Headers.IfMatch.Add(etag);
            var replaced = await _editor.SendAsync(put);
            Assert.Equal(HttpStatusCode.NoContent, replaced.StatusCode);
            Assert.NotEqual(etag, replaced.Headers.ETag);
        }
        using (var stale = new HttpRequestMessage(HttpMethod.Put, location) { Content = GeoJson("""{"type":"Feature","properties":{"name":"overwritten"},"geometry":{"type":"Point","coordinates":[73.87,18.53]}}""") })
        {
            stale.Headers.IfMatch.Add(etag);
            Assert.Equal(HttpStatusCode.PreconditionFailed, (await _editor.SendAsync(stale)).StatusCode);
        }
        var afterPut = await _client.GetJsonAsync(location.ToString());
        Assert.Equal("Kasba Ganapati", afterPut.GetProperty("properties").GetProperty("name").GetString());
        Assert.Equal(73.8601, afterPut.GetProperty("geometry").GetProperty("coordinates")[0].GetDouble());
        // The owner's moderator saw the sensitive field and replaced the attributes without it: it is gone.
        Assert.False(await server.Database.ScalarAsync<bool>("SELECT attributes ? 'phone' FROM features WHERE id = $1", newId));

        // Merge patch: one member changed, one removed, the rest kept.
        var patch = new HttpRequestMessage(HttpMethod.Patch, location) { Content = GeoJson("""{"properties":{"kind":"temple, 1893","name":null}}""", "application/merge-patch+json") };
        Assert.Equal(HttpStatusCode.NoContent, (await _editor.SendAsync(patch)).StatusCode);
        var patched = (await _client.GetJsonAsync(location.ToString())).GetProperty("properties");
        Assert.Equal("temple, 1893", patched.GetProperty("kind").GetString());
        Assert.False(patched.TryGetProperty("name", out _));
        Assert.Equal(73.8601, (await _client.GetJsonAsync(location.ToString())).GetProperty("geometry").GetProperty("coordinates")[0].GetDouble());

        Assert.Equal(HttpStatusCode.NoContent, (await _editor.DeleteAsync(location)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync(location)).StatusCode);
        Assert.Equal(2, await MatchedAsync(items));
        var final = await _client.GetJsonAsync($"/api/layers/{layerId}");
        Assert.Equal(5, final.GetProperty("version").GetInt32()); // import, create, replace, patch, delete
        Assert.Equal(2, final.GetProperty("featureCount").GetInt64());
        var versions = (await _client.GetJsonAsync($"/api/layers/{layerId}/versions")).EnumerateArray().Select(v => v.GetProperty("sourceFile").GetString()).ToList();
        Assert.StartsWith("DELETE /ogc/collections/ogc-edit-crud__places/items/", versions[^1]);

        // Another organisation's contributor never saw the phone: their PUT, once accepted, keeps it.
        var station = await server.Database.ScalarAsync<long>("SELECT id FROM features WHERE layer_id = $1 AND attributes->>'name' = 'Pune Station'", layerId);
        var proposed = await server.Contributor.PutAsync($"{items}/{station}", GeoJson("""{"type":"Feature","properties":{"name":"Pune Junction"},"geometry":{"type":"Point","coordinates":[73.8745,18.5289]}}"""));
        Assert.Equal(HttpStatusCode.Accepted, proposed.StatusCode);
        await _editor.AcceptedAsync((await proposed.JsonAsync()).GetProperty("id").GetInt64());
        Assert.Equal("9800000002", await server.Database.ScalarAsync<string>("SELECT attributes->>'phone' FROM features WHERE id = $1", station));
    }

    [Theory]
    [InlineData("""{"type":"Feature","properties":{"name":"Paris"},"geometry":{"type":"Point","coordinates":[2.35,48.85]}}""", 422, "outside India")]
    [InlineData("""{"type":"Feature","properties":{"name":"swapped"},"geometry":{"type":"Point","coordinates":[18.52,73.85]}}""", 422, "look swapped")]
    [InlineData("""{"type":"Feature","properties":["a","b"],"geometry":{"type":"Point","coordinates":[73.86,18.52]}}""", 422, "\"properties\" must be a JSON object")]
    [InlineData("""{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[]}}""", 422, "empty")]
    [InlineData("""{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":"here"}}""", 400, "")]
    [InlineData("""{"type":"Feature","properties":{}}""", 422, "no geometry")]
    [InlineData("""{"type":"Feature",""", 400, "not JSON")]
    public async Task Bad_writes_are_refused_with_a_problem_and_write_nothing(string body, int status, string detail)
    {
        var (items, layerId) = await EditableLayerAsync("ogc-edit-bad-" + Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes(body)))[..8]);
        var response = await _editor.PostAsync(items, GeoJson(body));
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains(detail, (await response.JsonAsync()).GetProperty("detail").GetString());
        Assert.Equal(2, await MatchedAsync(items));
        Assert.Equal(1, (await _client.GetJsonAsync($"/api/layers/{layerId}")).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Too_many_vertices_are_refused()
    {
        var (items, _) = await EditableLayerAsync("ogc-edit-vertices");
        var ring = Enumerable.Range(0, ServerFixture.MaxVertices + 1).Select(i => (73.8 + 0.05 * Math.Cos(i * 2 * Math.PI / ServerFixture.MaxVertices), 18.5 + 0.05 * Math.Sin(i * 2 * Math.PI / ServerFixture.MaxVertices))).ToList();
        ring[^1] = ring[0];
        var coordinates = string.Join(",", ring.Select(p => string.Create(CultureInfo.InvariantCulture, $"[{p.Item1},{p.Item2}]")));
        var response = await _editor.PostAsync(items, GeoJson($$$"""{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[{{{coordinates}}}]]}}"""));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("vertices", await response.Content.ReadAsStringAsync());
        Assert.Equal(2, await MatchedAsync(items));
    }

    [Fact]
    public async Task Content_crs_on_a_write_is_honoured()
    {
        var (items, _) = await EditableLayerAsync("ogc-edit-crs");
        var utm = await server.Database.ScalarAsync<string>("SELECT ST_X(p) || ' ' || ST_Y(p) FROM ST_Transform(ST_SetSRID(ST_MakePoint(73.8600, 18.5250), 4326), 32643) p");
        var (e, n) = (utm.Split(' ')[0], utm.Split(' ')[1]);
        var request = new HttpRequestMessage(HttpMethod.Post, items) { Content = GeoJson($$$"""{"type":"Feature","properties":{"name":"in metres"},"geometry":{"type":"Point","coordinates":[{{{e}}},{{{n}}}]}}""") };
        request.Headers.Add("Content-Crs", "<http://www.opengis.net/def/crs/EPSG/0/32643>");
        var created = await _editor.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var c = (await _client.GetJsonAsync(created.Headers.Location!.ToString())).GetProperty("geometry").GetProperty("coordinates");
        Assert.Equal(73.8600, c[0].GetDouble(), 5);
        Assert.Equal(18.5250, c[1].GetDouble(), 5);

        var latFirst = new HttpRequestMessage(HttpMethod.Post, items) { Content = GeoJson("""{"type":"Feature","properties":{"name":"lat first"},"geometry":{"type":"Point","coordinates":[18.5251,73.8601]}}""") };
        latFirst.Headers.Add("Content-Crs", "<http://www.opengis.net/def/crs/EPSG/0/4326>");
        var second = await _editor.SendAsync(latFirst);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(73.8601, (await _client.GetJsonAsync(second.Headers.Location!.ToString())).GetProperty("geometry").GetProperty("coordinates")[0].GetDouble(), 5);

        var unknown = new HttpRequestMessage(HttpMethod.Post, items) { Content = GeoJson("""{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}}""") };
        unknown.Headers.Add("Content-Crs", "<http://www.opengis.net/def/crs/EPSG/0/27700>");
        Assert.Equal(HttpStatusCode.BadRequest, (await _editor.SendAsync(unknown)).StatusCode);
        Assert.Equal(4, await MatchedAsync(items));
    }
}
