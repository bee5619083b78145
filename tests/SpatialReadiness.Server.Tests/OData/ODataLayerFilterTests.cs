using System.Net;
using System.Text;
using System.Text.Json;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.OData;

/// <summary>
/// City, Layer, LayerId and Kind anywhere in a $filter of the sets over several layers (eq, ne, or, in, not,
/// startswith, beside row conditions), with $count, paging, $search and $apply: the rows are those of the layers the
/// condition allows, as SQL over the same layers gives them; and a filter naming another organisation's sensitive
/// layer reads nothing of it, exactly as a layer that does not exist.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class ODataLayerFilterTests(ServerFixture server) : IAsyncLifetime
{
    private const string One = "lf-one", Two = "lf-two", Ours = "startswith(City,'lf-')";

    // One pair of cities for every test of the class (xunit makes an instance per test; the server is shared).
    private static Task<long>? _shared;
    private static readonly Lock Gate = new();
    private long _households;

    public async Task InitializeAsync()
    {
        lock (Gate) _shared ??= SetUpAsync(server);
        _households = await _shared;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static string Collection(params string[] properties) => "{\"type\":\"FeatureCollection\",\"features\":[" + string.Join(",", properties.Select((p, i) =>
        $"{{\"type\":\"Feature\",\"properties\":{p},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[{73.85 + i * 0.001},18.52]}}}}")) + "]}";

    /// <summary>Slums and wards in two cities, and in the first a household layer only the city's GIS cell may read.</summary>
    private static async Task<long> SetUpAsync(ServerFixture server)
    {
        async Task<long> Upload(string city, string name, string kind, string json, params (string, string)[] more) =>
            (await server.Admin.UploadAsync(city, Encoding.UTF8.GetBytes(json), $"{name}.geojson", kind, [("name", name), .. more]).CreatedLayerAsync()).GetProperty("id").GetInt64();
        foreach (var city in new[] { One, Two }) await server.Admin.CreateCityAsync(city);
        await Upload(One, "slums", "slum", Collection("""{"slum_id":"A1","slum_name":"Lakshmi Nagar","households":120}""", """{"slum_id":"A2","slum_name":"Bhim Nagar","households":40}""", """{"slum_id":"A3","slum_name":"Kasba","households":75}"""));
        await Upload(One, "wards", "ward", Collection("""{"ward_no":"1","ward_name":"Kasba Peth"}""", """{"ward_no":"2","ward_name":"Shivaji Nagar"}"""));
        await Upload(Two, "slums", "slum", Collection("""{"slum_id":"B1","slum_name":"Gandhi Nagar","households":90}""", """{"slum_id":"B2","slum_name":"Ambedkar Colony","households":30}"""));
        await Upload(Two, "wards", "ward", Collection("""{"ward_no":"1","ward_name":"Civil Lines"}"""));
        return await Upload(One, "households", "other", Collection("""{"house_no":"12/3","head_name":"R. Kamble"}""", """{"house_no":"12/4","head_name":"S. Nagar"}"""),
            ("sensitive", "true"), ("owner", ServerFixture.CityOrg));
    }

    public static TheoryData<string, string[]> Choices => new()
    {
        { $"City eq '{One}'", [$"{One}/slums", $"{One}/wards"] },
        { $"City ne '{One}' and {Ours}", [$"{Two}/slums", $"{Two}/wards"] },
        { $"City eq '{One}' or City eq '{Two}'", [$"{One}/slums", $"{One}/wards", $"{Two}/slums", $"{Two}/wards"] },
        { $"City in ('{Two}','nowhere')", [$"{Two}/slums", $"{Two}/wards"] },
        { $"not (City eq '{One}') and {Ours}", [$"{Two}/slums", $"{Two}/wards"] },
        { $"Kind eq 'ward' and Layer eq 'wards' and {Ours}", [$"{One}/wards", $"{Two}/wards"] },
        { $"City eq 'nowhere'", [] },
    };

    [Theory]
    [MemberData(nameof(Choices))]
    public async Task A_condition_on_the_layer_reads_the_features_of_the_layers_it_allows(string filter, string[] layers)
    {
        var expected = await SqlIdsAsync(layers);
        Assert.True(expected.Count >= layers.Length, "every layer named has features");
        Assert.Equal(expected, await server.Client.ODataIdsAsync($"Features?$filter={filter}&$select=Id"));
        Assert.Equal(expected.Count, await CountAsync($"Features/$count?$filter={filter}"));
    }

    [Fact]
    public async Task A_layer_condition_combines_with_row_conditions_on_typed_sets()
    {
        var rows = (await server.Client.GetJsonAsync($"/odata/Slums?$filter=(City eq '{One}' and households gt 50) or (City eq '{Two}' and households lt 50)&$select=slum_id"))
            .GetProperty("value").EnumerateArray().Select(r => r.GetProperty("slum_id").GetString()).Order().ToList();
        Assert.Equal(["A1", "A3", "B2"], rows);
        var searched = (await server.Client.GetJsonAsync($"/odata/Slums?$filter=City in ('{One}','{Two}')&$search=nagar&$select=slum_id"))
            .GetProperty("value").EnumerateArray().Select(r => r.GetProperty("slum_id").GetString()).Order().ToList();
        Assert.Equal(["A1", "A2", "B1"], searched);
    }

    [Fact]
    public async Task Count_and_paging_by_skiptoken_follow_the_layer_condition()
    {
        var expected = await SqlIdsAsync($"{One}/slums", $"{One}/wards", $"{Two}/wards");
        var filter = $"(City eq '{One}' or Kind eq 'ward') and {Ours}";
        var ids = new List<long>();
        long? counted = null;
        var pages = 0;
        for (string? next = $"/odata/Features?$filter={filter}&$count=true&$select=Id"; next is not null; pages++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, next);
            request.Headers.Add("Prefer", "odata.maxpagesize=2");
            using var response = await server.Client.SendAsync(request);
            var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.True(response.IsSuccessStatusCode, page.ToString());
            counted ??= page.GetProperty("@odata.count").GetInt64();
            ids.AddRange(page.GetProperty("value").EnumerateArray().Select(v => v.GetProperty("Id").GetInt64()));
            next = page.TryGetProperty("@odata.nextLink", out var link) ? link.GetString() : null;
            if (next is not null) Assert.Contains("skiptoken", next);
        }
        Assert.Equal(expected, ids);
        Assert.Equal(expected.Count, counted);
        Assert.Equal(3, pages); // 6 features, 2 a page
    }

    [Fact]
    public async Task Apply_groups_the_layers_the_filter_allows()
    {
        var groups = (await server.Client.GetJsonAsync($"/odata/Features?$apply=filter(City ne '{One}' and {Ours})/groupby((City,Layer),aggregate($count as N))&$count=true"));
        Assert.Equal(2, groups.GetProperty("@odata.count").GetInt64());
        Assert.Equal([$"{Two} slums 2", $"{Two} wards 1"], groups.GetProperty("value").EnumerateArray()
            .Select(g => $"{g.GetProperty("City").GetString()} {g.GetProperty("Layer").GetString()} {g.GetProperty("N").GetInt64()}"));
    }

    [Fact]
    public async Task A_filter_naming_another_organisations_sensitive_layer_reads_nothing_of_it()
    {
        string[] probes =
        [
            "Layer eq 'households'", $"LayerId eq {_households}", $"LayerId in ({_households}) or Layer eq 'households'", $"City eq '{One}' and Kind eq 'other'",
            "not (Layer ne 'households')", "startswith(Layer,'house')", $"LayerId ge {_households} and LayerId le {_households}",
        ];
        foreach (var client in new[] { server.Client, server.Contributor })
            foreach (var probe in probes)
            {
                var body = await client.GetStringAsync($"/odata/Features?$filter=({probe}) and {Ours}");
                Assert.DoesNotContain("Kamble", body);
                Assert.Empty(JsonDocument.Parse(body).RootElement.GetProperty("value").EnumerateArray());
                // The same answer as a layer that does not exist, whether counted or aggregated.
                Assert.Equal(await CountAsync($"Features/$count?$filter=Layer eq 'no-such-layer' and {Ours}", client), await CountAsync($"Features/$count?$filter=({probe}) and {Ours}", client));
                var aggregated = await client.GetJsonAsync($"/odata/Features?$apply=filter(({probe}) and {Ours})/aggregate($count as N)");
                Assert.Equal(0, aggregated.GetProperty("value").EnumerateArray().Single().GetProperty("N").GetInt64());
            }
        // The owner's moderator reads it with the same filter: the probes above were not empty for want of rows.
        var owner = await server.Moderator.GetJsonAsync($"/odata/Features?$filter=Layer eq 'households' and {Ours}");
        Assert.Equal(2, owner.GetProperty("value").GetArrayLength());
        Assert.Equal(2, await CountAsync($"Features/$count?$filter=LayerId eq {_households}", server.Moderator));
    }

    private async Task<long> CountAsync(string url, HttpClient? client = null)
    {
        var response = await (client ?? server.Client).GetAsync("/odata/" + url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {text}");
        return long.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The ids of the features of "city/layer"s, in id order.</summary>
    private async Task<List<long>> SqlIdsAsync(params string[] layers)
    {
        await using var command = server.Database.DataSource.CreateCommand(
            "SELECT f.id FROM features f JOIN layers l ON l.id = f.layer_id WHERE l.city_id || '/' || l.name = ANY($1) ORDER BY f.id");
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = layers });
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<long>();
        while (await reader.ReadAsync()) ids.Add(reader.GetInt64(0));
        return ids;
    }
}
