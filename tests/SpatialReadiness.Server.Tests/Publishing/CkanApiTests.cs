using System.Text.Json;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Publishing;

/// <summary>
/// The CKAN-compatible API as ckanapi and CKAN harvesters read it: a client script making ckanapi's calls checks every
/// envelope field by field; search and paging agree with the OData Layers feed; errors have CKAN's types and codes.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class CkanApiTests(ServerFixture server)
{
    private static object Call(string action, object? data = null, bool get = false) => new { action, data = data ?? new { }, get };

    private async Task<long> ODataCountAsync(string filter) =>
        (await server.Client.GetJsonAsync($"/odata/Layers?$filter={Uri.EscapeDataString(filter)}&$count=true&$top=0")).GetProperty("@odata.count").GetInt64();

    [Fact]
    public async Task Search_by_city_kind_organisation_and_format_counts_what_OData_counts_and_pages_without_loss()
    {
        await PublishingCity.EnsureAsync(server);
        var city = PublishingCity.Id;
        var answers = await RdfClients.CkanAsync(server.BaseAddress,
            Call("package_search", new { fq = $"groups:{city}", rows = 1000 }),
            Call("package_search", new { fq = $"groups:{city} tags:slum", rows = 1000 }),
            Call("package_search", new { fq = $"+groups:{city} +organization:{ServerFixture.CityOrg} +res_format:\"OGC API - Features\"" }, get: true),
            Call("package_search", new { q = "Pune wards", fq = $"groups:{city}" }),
            Call("package_list"));

        var all = answers[0].GetProperty("result");
        Assert.Equal(await ODataCountAsync($"City eq '{city}'"), all.GetProperty("count").GetInt64());
        Assert.Equal(5, all.GetProperty("count").GetInt32()); // the household layer is sensitive: not a package
        Assert.Equal(await ODataCountAsync($"City eq '{city}' and Kind eq 'slum'"), answers[1].GetProperty("result").GetProperty("count").GetInt64());
        Assert.Equal(5, answers[2].GetProperty("result").GetProperty("count").GetInt32()); // every layer was published by the city's GIS cell
        Assert.Equal(["pub-pune__admin-wards", "pub-pune__wards"], Names(answers[3].GetProperty("result")).Order());
        Assert.DoesNotContain(answers[4].GetProperty("result").EnumerateArray(), n => n.GetString()!.Contains(PublishingCity.Sensitive));

        // Pages of 2 through the city: every package once, in a stable order, the count on every page.
        var pages = new List<string>();
        for (var start = 0; start < 7; start += 2)
        {
            var page = (await RdfClients.CkanAsync(server.BaseAddress, Call("package_search", new { fq = $"groups:{city}", rows = 2, start })))[0].GetProperty("result");
            Assert.Equal(5, page.GetProperty("count").GetInt32());
            pages.AddRange(Names(page));
        }
        Assert.Equal(Names(all), pages);
        Assert.Equal(pages.Distinct().Count(), pages.Count);
    }

    [Fact]
    public async Task A_package_has_CKAN_fields_and_resources_that_answer_at_their_urls()
    {
        await PublishingCity.EnsureAsync(server);
        var package = (await RdfClients.CkanAsync(server.BaseAddress, Call("package_show", new { id = $"{PublishingCity.Id}__wards" })))[0].GetProperty("result");

        Assert.Equal("pub-pune__wards", package.GetProperty("name").GetString());
        Assert.Equal("Pune wards", package.GetProperty("title").GetString());
        Assert.Equal("cc-by-sa", package.GetProperty("license_id").GetString());
        Assert.Equal("https://creativecommons.org/licenses/by-sa/2.5/in/", package.GetProperty("license_url").GetString());
        Assert.Equal(ServerFixture.CityOrg, package.GetProperty("owner_org").GetString());
        Assert.Equal(ServerFixture.CityOrg, package.GetProperty("organization").GetProperty("name").GetString());
        Assert.Equal(PublishingCity.Id, package.GetProperty("groups")[0].GetProperty("name").GetString());
        Assert.Contains("ward", package.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(package.GetProperty("num_tags").GetInt32(), package.GetProperty("tags").GetArrayLength());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$", package.GetProperty("metadata_modified").GetString());
        var extras = package.GetProperty("extras").EnumerateArray().ToDictionary(e => e.GetProperty("key").GetString()!, e => e.GetProperty("value").GetString());
        Assert.Equal("annual", extras["update_frequency"]);
        Assert.Equal("false", extras["overdue"]);
        Assert.Equal(SpatialReadiness.Checks.RuleSet.Version, extras["readiness_rule_set"]);
        var resources = package.GetProperty("resources").EnumerateArray().ToList();
        Assert.Equal(["GeoJSON", "CSV", "SHP", "GPKG", "OGC API - Features", "OData", "MVT"], resources.Select(r => r.GetProperty("format").GetString()));
        Assert.Equal(resources.Count, package.GetProperty("num_resources").GetInt32());
        foreach (var resource in resources.Where(r => r.GetProperty("format").GetString() is not ("SHP" or "GPKG")))
        {
            var response = await new HttpClient().GetAsync(resource.GetProperty("url").GetString());
            Assert.True(response.IsSuccessStatusCode, $"{resource.GetProperty("url")}: {(int)response.StatusCode}");
        }
        var geojson = await new HttpClient().GetStringAsync(resources[0].GetProperty("url").GetString());
        Assert.Equal(58, JsonDocument.Parse(geojson).RootElement.GetProperty("features").GetArrayLength()); // Pune's 58 electoral wards
    }

    [Fact]
    public async Task Organisations_and_status_read_as_from_a_CKAN_site()
    {
        await PublishingCity.EnsureAsync(server);
        var answers = await RdfClients.CkanAsync(server.BaseAddress,
            Call("organization_list"), Call("organization_list", new { all_fields = true }),
            Call("organization_show", new { id = ServerFixture.CityOrg, include_datasets = true }), Call("status_show", get: true));

        Assert.Contains(ServerFixture.CityOrg, answers[0].GetProperty("result").EnumerateArray().Select(o => o.GetString()));
        var cityOrg = answers[1].GetProperty("result").EnumerateArray().Single(o => o.GetProperty("name").GetString() == ServerFixture.CityOrg);
        Assert.Equal("Test city GIS cell", cityOrg.GetProperty("title").GetString());
        Assert.True(cityOrg.GetProperty("is_organization").GetBoolean());
        var shown = answers[2].GetProperty("result");
        Assert.Equal(shown.GetProperty("package_count").GetInt32(), shown.GetProperty("packages").GetArrayLength());
        // Every public layer of the city was published by the city's GIS cell: the organisation holds them all.
        Assert.Equal(await ODataCountAsync($"City eq '{PublishingCity.Id}'"),
            shown.GetProperty("packages").EnumerateArray().Count(p => p.GetProperty("groups")[0].GetProperty("name").GetString() == PublishingCity.Id));
        Assert.Matches(@"^2\.\d+\.\d+$", answers[3].GetProperty("result").GetProperty("ckan_version").GetString());
    }

    [Fact]
    public async Task Errors_have_CKANs_types_and_status_codes()
    {
        var answers = await RdfClients.CkanAsync(server.BaseAddress,
            Call("package_show", new { id = "no-such-package" }),
            Call("package_show"),
            Call("package_search", new { rows = -1 }),
            Call("package_search", new { fq = "colour:blue" }),
            Call("organization_show", new { id = "nobody" }),
            Call("package_create", new { name = "x" }));

        Assert.Equal((404, "NotFound"), Outcome(answers[0]));
        Assert.Equal((409, "ValidationError"), Outcome(answers[1]));
        Assert.Equal("Missing value", answers[1].GetProperty("error").GetProperty("id")[0].GetString());
        Assert.Equal((409, "ValidationError"), Outcome(answers[2]));
        Assert.Equal((409, "SearchQueryError"), Outcome(answers[3]));
        Assert.Contains("colour", answers[3].GetProperty("error").GetProperty("message").GetString());
        Assert.Equal((404, "NotFound"), Outcome(answers[4]));
        Assert.Equal(400, answers[5].GetProperty("status").GetInt32()); // a read-only API: writing actions are not known
    }

    private static (int, string?) Outcome(JsonElement answer) => (answer.GetProperty("status").GetInt32(), answer.GetProperty("exception").GetString());

    private static List<string> Names(JsonElement result) => [.. result.GetProperty("results").EnumerateArray().Select(p => p.GetProperty("name").GetString()!)];
}
