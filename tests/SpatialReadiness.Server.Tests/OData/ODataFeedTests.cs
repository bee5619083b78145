using System.Net;
using System.Text.Json;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.OData;

/// <summary>
/// The OData feed as Excel, Power BI and scripts use it: an independent client (ts-odatajs) reads $metadata and pages
/// through the real Mumbai slums; filters run in PostGIS and give what the equivalent SQL gives; sensitive layers and
/// fields never appear; bad queries get a 400 that says what to change.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class ODataFeedTests(ServerFixture server)
{
    private const string Mumbai = "od-mumbai";

    private async Task<long> LoadMumbaiSlumsAsync()
    {
        if (await server.Database.ScalarAsync<long>("SELECT count(*) FROM layers WHERE city_id = $1", Mumbai) == 0)
        {
            await server.Admin.CreateCityAsync(Mumbai, "Mumbai");
            await server.Admin.UploadAsync(Mumbai, SharedData.Path("mumbai/slumClusters.geojson"), "slum", ("name", "slums")).CreatedLayerAsync();
        }
        return await server.Database.ScalarAsync<long>("SELECT id FROM layers WHERE city_id = $1 AND name = 'slums'", Mumbai);
    }

    [Fact]
    public async Task An_independent_client_reads_the_metadata_and_pages_through_all_2542_Mumbai_slums_by_next_link()
    {
        var layer = await LoadMumbaiSlumsAsync();
        var read = await ODataClient.ReadAllAsync(server.BaseAddress, "Slums", $"$filter=City eq '{Mumbai}'&$select=Id,slum_id,AreaM2,Wkt", maxPageSize: 500);

        var sets = read.GetProperty("entitySets").EnumerateArray().Select(s => s.GetString()).ToList();
        Assert.Equal(["Cities", "Layers", "Findings", "ReadinessScores", "Wards", "Slums", "Assets", "Features"], sets.Take(8));
        Assert.Contains("od_mumbai_slums", sets); // and one set per layer
        Assert.Equal(6, read.GetProperty("pages").GetInt32()); // 5 x 500 + 42
        var ids = read.GetProperty("ids").EnumerateArray().Select(i => i.GetInt64()).ToList();
        Assert.Equal(2542, ids.Count);
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(await IdsAsync("SELECT id FROM features WHERE layer_id = $1 ORDER BY id", layer), ids);
        var first = read.GetProperty("first");
        Assert.Matches(@"^(MULTI)?POLYGON\(\(72\.\d+ 19\.\d+", first.GetProperty("Wkt").GetString());
        Assert.True(first.GetProperty("AreaM2").GetDouble() > 0);
    }

    [Fact]
    public async Task Features_of_several_layers_page_in_id_order_with_nothing_lost_or_repeated()
    {
        const string city = "od-paging";
        if (await server.Database.ScalarAsync<long>("SELECT count(*) FROM layers WHERE city_id = $1", city) == 0)
        {
            await server.Admin.CreateCityAsync(city, "Two layers");
            await server.Admin.UploadAsync(city, SharedData.Path("jaipur/Jaipur_Wards.geojson"), "ward", ("name", "wards")).CreatedLayerAsync();
            await server.Admin.UploadAsync(city, SharedData.Path("jaipur/Jaipur_Boundary.geojson"), "boundary", ("name", "boundary")).CreatedLayerAsync();
            await server.Admin.UploadAsync(city, SharedData.Path("mumbai/slumClusters.geojson"), "slum", ("name", "slums")).CreatedLayerAsync();
        }
        var expected = await IdsAsync("SELECT f.id FROM features f JOIN layers l ON l.id = f.layer_id WHERE l.city_id = $1 ORDER BY f.id", city);

        var ids = new List<long>();
        var pages = 0;
        for (string? next = $"/odata/Features?$filter=City eq '{city}'&$select=Id&$top=1000&$skip=400"; next is not null; pages++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, next);
            request.Headers.Add("Prefer", "odata.maxpagesize=300");
            using var response = await server.Client.SendAsync(request);
            var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.True(response.IsSuccessStatusCode, page.ToString());
            ids.AddRange(page.GetProperty("value").EnumerateArray().Select(v => v.GetProperty("Id").GetInt64()));
            next = page.TryGetProperty("@odata.nextLink", out var link) ? link.GetString() : null;
        }
        Assert.Equal(expected.Skip(400).Take(1000), ids); // each layer gives only its first rows to a page; together, the right ones
        Assert.Equal(4, pages);
    }

    [Fact]
    public async Task Geo_intersects_and_geo_distance_return_the_ids_the_same_PostGIS_query_returns()
    {
        var layer = await LoadMumbaiSlumsAsync();
        const string polygon = "POLYGON((72.83 19.04,72.88 19.04,72.88 19.09,72.83 19.09,72.83 19.04))";
        var intersecting = await server.Client.ODataIdsAsync($"Slums?$filter=City eq '{Mumbai}' and geo.intersects(Location, geography'{polygon}')&$select=Id");
        var expected = await IdsAsync(
            "SELECT id FROM features WHERE layer_id = $1 AND ST_Intersects(ST_PointOnSurface(geom), ST_GeomFromText($2, 4326)) ORDER BY id", layer, polygon);
        Assert.InRange(expected.Count, 50, 2000); // a real test: the window holds some of the slums, not none or all
        Assert.Equal(expected, intersecting);

        var near = await server.Client.ODataIdsAsync($"Slums?$filter=City eq '{Mumbai}' and geo.distance(Location, geography'POINT(72.85 19.06)') lt 1500&$select=Id");
        var expectedNear = await IdsAsync(
            "SELECT id FROM features WHERE layer_id = $1 AND ST_Distance(ST_PointOnSurface(geom)::geography, 'SRID=4326;POINT(72.85 19.06)'::geography) < 1500 ORDER BY id", layer);
        Assert.NotEmpty(expectedNear);
        Assert.Equal(expectedNear, near);
    }

    [Fact]
    public async Task Filters_orderby_count_and_select_are_answered_by_the_database()
    {
        await LoadMumbaiSlumsAsync();
        var page = await server.Client.GetJsonAsync($"/odata/Features?$filter=City eq '{Mumbai}' and AreaM2 gt 100000&$orderby=AreaM2 desc&$top=3&$count=true&$select=Id,AreaM2");
        var counted = page.GetProperty("@odata.count").GetInt64();
        var expected = await server.Database.ScalarAsync<long>(
            "SELECT count(*) FROM features f JOIN layers l ON l.id = f.layer_id WHERE l.city_id = $1 AND ST_Area(f.geom::geography) > 100000", Mumbai);
        Assert.Equal(expected, counted);
        var areas = page.GetProperty("value").EnumerateArray().Select(v => v.GetProperty("AreaM2").GetDouble()).ToList();
        Assert.Equal(3, areas.Count);
        Assert.Equal(areas.OrderDescending(), areas);
        Assert.All(page.GetProperty("value").EnumerateArray(), v => Assert.Equal(["Id", "AreaM2"], v.EnumerateObject().Select(p => p.Name)));
        Assert.False(page.TryGetProperty("@odata.nextLink", out _)); // the client asked for 3 and got them: no next page
    }

    [Fact]
    public async Task Sensitive_layers_and_fields_never_appear_in_any_entity_set()
    {
        const string city = "od-sensitive";
        await server.Admin.CreateCityAsync(city);
        const string households = """
            {"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"slum_id":"S-1","slum_name":"Lakshmi Nagar","head_name":"R. Kamble","phone":"9800000001"},
               "geometry":{"type":"Polygon","coordinates":[[[73.85,18.52],[73.851,18.52],[73.851,18.521],[73.85,18.521],[73.85,18.52]]]}}]}
            """;
        await server.Admin.UploadAsync(city, SharedData.TempFile("households.geojson", households), "slum",
            ("name", "survey"), ("sensitiveFields", "head_name, phone")).CreatedLayerAsync();
        await server.Admin.UploadAsync(city, SharedData.TempFile("register.geojson", households), "other",
            ("name", "register"), ("sensitive", "true")).CreatedLayerAsync();

        foreach (var url in new[] { $"/odata/Features?$filter=City eq '{city}'", $"/odata/Slums?$filter=City eq '{city}'", $"/odata/Layers?$filter=City eq '{city}'" })
        {
            var response = await server.Client.GetStringAsync(url);
            Assert.DoesNotContain("Kamble", response);
            Assert.DoesNotContain("9800000001", response);
            Assert.DoesNotContain("register", response);
        }
        var feature = (await server.Client.GetJsonAsync($"/odata/Features?$filter=City eq '{city}'")).GetProperty("value").EnumerateArray().Single();
        Assert.Equal("Lakshmi Nagar", feature.GetProperty("slum_name").GetString());
        var filtered = await server.Client.GetJsonAsync($"/odata/Features?$filter=City eq '{city}' and head_name eq 'R. Kamble'");
        Assert.Empty(filtered.GetProperty("value").EnumerateArray()); // a withheld field cannot be probed through $filter either
    }

    [Fact]
    public async Task A_bad_query_gets_a_400_that_says_what_is_wrong_and_an_unknown_set_a_404()
    {
        var unknown = await server.Client.GetAsync("/odata/Wards?$filter=no_such_field eq 1");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("no_such_field", (await unknown.JsonAsync()).GetProperty("detail").GetString());
        var syntax = await server.Client.GetAsync("/odata/Wards?$filter=ward_no eq");
        Assert.Equal(HttpStatusCode.BadRequest, syntax.StatusCode);
        var geometry = await server.Client.GetAsync("/odata/Wards?$filter=Wkt eq 'POINT(1 2)'");
        Assert.Equal(HttpStatusCode.BadRequest, geometry.StatusCode);
        Assert.Contains("Wkt", (await geometry.JsonAsync()).GetProperty("detail").GetString());
        var missing = await server.Client.GetAsync("/odata/Parcels");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var service = await server.Client.GetJsonAsync("/odata");
        Assert.EndsWith("/odata/$metadata", service.GetProperty("@odata.context").GetString());
    }

    private async Task<List<long>> IdsAsync(string sql, params object[] parameters)
    {
        await using var command = server.Database.DataSource.CreateCommand(sql);
        foreach (var parameter in parameters) command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = parameter });
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<long>();
        while (await reader.ReadAsync()) ids.Add(reader.GetInt64(0));
        return ids;
    }
}
