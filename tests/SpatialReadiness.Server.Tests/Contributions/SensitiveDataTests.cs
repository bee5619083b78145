using System.Net;
using System.Text;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.Server.Tests.Infrastructure;
using static SpatialReadiness.Server.Tests.Infrastructure.ContributionCity;

namespace SpatialReadiness.Server.Tests.Contributions;

/// <summary>
/// Household data of the city's GIS cell (a sensitive field on the slums, a sensitive household layer) reaches its
/// members and admins through tiles, OData, OGC API (items, filters, OpenAPI), downloads, history and contributions,
/// and nobody else: not anonymous readers, not another organisation's contributors or moderators.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class SensitiveDataTests(ServerFixture server) : IAsyncLifetime
{
    private const string CityId = "sd-city";

    private sealed record Setup(ContributionCity City, long Households, List<(string Name, HttpClient Client, bool Allowed)> Readers);

    // One city and set of readers for every test of the class (xunit makes an instance per test; the server is shared).
    private static Task<Setup>? _shared;
    private static readonly Lock Gate = new();

    private ContributionCity _city = null!;
    private long _households;
    private List<(string Name, HttpClient Client, bool Allowed)> _readers = [];

    public async Task InitializeAsync()
    {
        lock (Gate) _shared ??= SetUpAsync(server);
        (_city, _households, _readers) = await _shared;
    }

    private static async Task<Setup> SetUpAsync(ServerFixture server)
    {
        var city = await CreateAsync(server, CityId, sensitiveHeads: true);
        var points = "{\"type\":\"FeatureCollection\",\"features\":["
                     + Feature("{\"house_no\":\"12/3\",\"head_name\":\"R. Kamble\",\"phone\":\"9800000001\"}", "{\"type\":\"Point\",\"coordinates\":[73.82211,18.52213]}") + "]}";
        var households = (await server.Admin.UploadAsync(CityId, Encoding.UTF8.GetBytes(points), "households.geojson", "other",
            ("name", "households"), ("sensitive", "true"), ("owner", ServerFixture.CityOrg)).CreatedLayerAsync()).GetProperty("id").GetInt64();
        return new Setup(city, households,
        [
            ("anonymous", server.Client, false),
            ("another organisation's contributor", server.Contributor, false),
            ("another organisation's moderator", await server.UserAsync("sd-ngo-moderator", Role.Moderator, ServerFixture.NgoOrg), false),
            ("the owner's contributor", await server.UserAsync("sd-city-contributor", Role.Contributor, ServerFixture.CityOrg), true),
            ("the owner's moderator", server.Moderator, true),
            ("an admin", server.Admin, true),
        ]);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Tiles_carry_household_data_only_for_the_owner_and_admins_and_are_private_then()
    {
        var (z, x, y) = VectorTiles.TileOf(73.8222, 18.5222, 14);
        foreach (var (name, client, allowed) in _readers)
        {
            var slums = await client.GetAsync($"/tiles/{_city.Slums}/{z}/{x}/{y}.mvt");
            var feature = VectorTiles.Decode(await slums.Content.ReadAsByteArrayAsync(), z, x, y).Layers[0].Features.First();
            Assert.True(allowed == feature.Attributes.Exists("head_name"), name);
            Assert.True(allowed == slums.Headers.CacheControl!.Private, name);
            Assert.Equal(allowed ? HttpStatusCode.OK : HttpStatusCode.NotFound, (await client.GetAsync($"/tiles/{_households}/{z}/{x}/{y}.mvt")).StatusCode);
            var city = VectorTiles.Decode(await client.GetByteArrayAsync($"/tiles/city/{CityId}/{z}/{x}/{y}.mvt"), z, x, y);
            Assert.True(allowed == city.Layers.Any(l => l.Name == "households"), name);
        }
    }

    [Fact]
    public async Task OData_serves_household_layers_and_fields_only_to_the_owner_and_admins()
    {
        foreach (var (name, client, allowed) in _readers)
        {
            var rows = (await client.GetJsonAsync($"/odata/Features?$filter=City eq '{CityId}'")).GetProperty("value").EnumerateArray().ToList();
            Assert.True(allowed == rows.Any(r => r.TryGetProperty("head_name", out _)), name);
            Assert.True(allowed == rows.Any(r => r.GetProperty("Layer").GetString() == "households"), name);
            // A filter cannot probe a withheld field: it matches nothing.
            var probe = await client.GetJsonAsync($"/odata/Features?$filter=City eq '{CityId}' and head_name eq 'R. Kamble'");
            Assert.Equal(allowed ? 2 : 0, probe.GetProperty("value").GetArrayLength()); // the slum and the household
        }
    }

    [Fact]
    public async Task OGC_API_lists_items_filters_and_describes_household_data_only_for_the_owner_and_admins()
    {
        foreach (var (name, client, allowed) in _readers)
        {
            var collections = (await client.GetJsonAsync("/ogc/collections")).GetProperty("collections").EnumerateArray().Select(c => c.GetProperty("id").GetString()).ToList();
            Assert.True(allowed == collections.Contains($"{CityId}__households"), name);
            var item = await client.GetJsonAsync($"{_city.Items}/{_city.S1}");
            Assert.True(allowed == item.GetProperty("properties").TryGetProperty("head_name", out _), name);
            var filtered = await client.GetAsync($"{_city.Items}?filter={Uri.EscapeDataString("head_name = 'R. Kamble'")}");
            Assert.Equal(allowed ? HttpStatusCode.OK : HttpStatusCode.BadRequest, filtered.StatusCode);
            // This city's collection in the OpenAPI document (other tests' slum layers may have a public head_name).
            var parameters = (await client.GetJsonAsync("/ogc/api")).GetProperty("paths").GetProperty($"/collections/{CityId}__slums/items").ToString();
            Assert.True(allowed == parameters.Contains("\"head_name\""), name);
        }
    }

    [Fact]
    public async Task Downloads_and_history_carry_household_data_only_for_the_owner_and_admins()
    {
        foreach (var (name, client, allowed) in _readers)
        {
            Assert.True(allowed == (await client.GetStringAsync($"/api/layers/{_city.Slums}/export?format=geojson")).Contains("R. Kamble"), name);
            Assert.Equal(allowed ? HttpStatusCode.OK : HttpStatusCode.NotFound, (await client.GetAsync($"/api/layers/{_households}/export?format=csv")).StatusCode);
            var history = await client.GetStringAsync($"/api/layers/{_city.Slums}/features/{_city.S1}/history");
            Assert.True(allowed == history.Contains("head_name"), name);
            var hidden = await server.Database.ScalarAsync<long>("SELECT min(id) FROM features WHERE layer_id = $1", _households);
            Assert.Equal(allowed ? HttpStatusCode.OK : HttpStatusCode.NotFound, (await client.GetAsync($"/api/layers/{_households}/features/{hidden}/history")).StatusCode);
        }
    }

    [Fact]
    public async Task Contributions_show_household_data_only_to_the_owner_and_admins_and_stay_with_who_may_see_them()
    {
        var cityContributor = _readers.Single(r => r.Name == "the owner's contributor").Client;
        var ngoModerator = _readers.Single(r => r.Name == "another organisation's moderator").Client;
        var correction = await cityContributor.ProposedAsync(_city.Slums, "head of household changed", Modify(_city.S2, 1, "{\"head_name\":\"N. Pawar\"}"));
        Assert.Equal("N. Pawar", correction.GetProperty("changes")[0].GetProperty("after").GetProperty("properties").GetProperty("head_name").GetString());

        // Another organisation's moderator does not moderate this layer: not in their queue, not readable, not theirs to accept.
        var queue = await ngoModerator.GetJsonAsync("/api/contributions?state=pending");
        Assert.DoesNotContain(queue.GetProperty("contributions").EnumerateArray(), c => c.Id() == correction.Id());
        Assert.Equal(HttpStatusCode.NotFound, (await ngoModerator.GetAsync($"/api/contributions/{correction.Id()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ngoModerator.ReviewAsync(correction.Id(), "accept")).StatusCode);
        var seen = await server.Moderator.GetStringAsync($"/api/contributions/{correction.Id()}");
        Assert.Contains("N. Pawar", seen);

        // An NGO contributor's own proposal to the same layer never shows them the household field, before or after.
        var own = await server.Contributor.ProposedAsync(_city.Slums, "households recounted", Modify(_city.S1, 1, "{\"households\":126}"));
        Assert.DoesNotContain("head_name", own.GetRawText());
        Assert.DoesNotContain("head_name", await server.Contributor.GetStringAsync($"/api/contributions?mine=true&layer={_city.Slums}"));
        Assert.Contains("R. Kamble", await server.Moderator.GetStringAsync($"/api/contributions/{own.Id()}"));
        // Nor may they propose anything for the sensitive layer itself.
        Assert.Equal(HttpStatusCode.NotFound, (await server.Contributor.ProposeAsync(_households, "x", Delete(1, 1))).StatusCode);
    }

    [Fact]
    public async Task The_owners_moderator_marks_a_field_sensitive_and_the_public_tiles_lose_it_at_once()
    {
        var city = await CreateAsync(server, "sd-mark");
        var (z, x, y) = VectorTiles.TileOf(73.8222, 18.5222, 14);
        var url = $"/tiles/{city.Slums}/{z}/{x}/{y}.mvt";
        Assert.True(VectorTiles.Decode(await server.Client.GetByteArrayAsync(url), z, x, y).Layers[0].Features[0].Attributes.Exists("households"));

        var mark = new { sensitiveFields = new[] { "head_name", "households" } };
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Contributor.PatchAsync($"/api/layers/{city.Slums}/access", System.Net.Http.Json.JsonContent.Create(mark))).StatusCode);
        var ngoModerator = _readers.Single(r => r.Name == "another organisation's moderator").Client;
        Assert.Equal(HttpStatusCode.Forbidden, (await ngoModerator.PatchAsync($"/api/layers/{city.Slums}/access", System.Net.Http.Json.JsonContent.Create(mark))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Moderator.PatchAsync($"/api/layers/{city.Slums}/access", System.Net.Http.Json.JsonContent.Create(new { owner = ServerFixture.NgoOrg }))).StatusCode);
        var marked = await server.Moderator.PatchAsync($"/api/layers/{city.Slums}/access", System.Net.Http.Json.JsonContent.Create(mark));
        Assert.Equal(HttpStatusCode.OK, marked.StatusCode);
        Assert.Equal(["head_name", "households"], (await marked.JsonAsync()).GetProperty("sensitiveFields").EnumerateArray().Select(f => f.GetString()));

        Assert.False(VectorTiles.Decode(await server.Client.GetByteArrayAsync(url), z, x, y).Layers[0].Features[0].Attributes.Exists("households"));
        Assert.True(VectorTiles.Decode(await server.Moderator.GetByteArrayAsync(url), z, x, y).Layers[0].Features[0].Attributes.Exists("households"));
        var versions = (await server.Client.GetJsonAsync($"/api/layers/{city.Slums}/versions")).EnumerateArray().ToList();
        Assert.StartsWith("access:", versions[^1].GetProperty("sourceFile").GetString());
        Assert.Equal("test-moderator", versions[^1].GetProperty("importedBy").GetString());
    }
}
