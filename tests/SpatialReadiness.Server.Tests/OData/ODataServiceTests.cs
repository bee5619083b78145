using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Microsoft.Extensions.Configuration;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.PostGis.Features;
using SpatialReadiness.PostGis.Layers;
using SpatialReadiness.Server.OData;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.OData;

/// <summary>
/// The service as each reader sees it: $metadata is CSDL XML for every 4.0 client and JSON only when a 4.01 client
/// asks; a layer's own set and its fields appear only to readers allowed them; field types follow the data, the same
/// in OData and OGC API; what is not supported is refused naming the option, never ignored; and the fast JSON path
/// writes what the validating one writes.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class ODataServiceTests(ServerFixture server)
{
    private static readonly XNamespace Edm = "http://docs.oasis-open.org/odata/ns/edm";

    [Fact]
    public async Task Metadata_is_CSDL_XML_for_Power_BI_and_Excel_and_JSON_only_for_a_client_asking_as_4_01_clients_do()
    {
        async Task<HttpResponseMessage> Get(string url, params (string Name, string Value)[] headers)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
            return await server.Client.SendAsync(request);
        }
        // What Power Query sends, what a browser sends, and nothing at all.
        foreach (var response in new[]
                 {
                     await Get("/odata/$metadata", ("Accept", "application/json;odata.metadata=minimal"), ("OData-MaxVersion", "4.0")),
                     await Get("/odata/$metadata", ("Accept", "application/json")), await Get("/odata/$metadata", ("Accept", "*/*")),
                     await Get("/odata/$metadata"),
                 })
        {
            Assert.Equal("application/xml", response.Content.Headers.ContentType!.MediaType);
            var csdl = XDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("4.0", csdl.Root!.Attribute("Version")!.Value);
            Assert.Contains(csdl.Descendants(Edm + "EntitySet"), s => s.Attribute("Name")!.Value == "Wards");
            // What Power Query reads before it folds a Group By into $apply.
            var apply = csdl.Descendants(Edm + "EntityContainer").Single().Elements(Edm + "Annotation").Single(a => a.Attribute("Term")!.Value == "Aggregation.ApplySupported");
            Assert.Equal(["filter", "groupby", "aggregate"], apply.Descendants(Edm + "String").Select(s => s.Value));
        }
        foreach (var response in new[]
                 {
                     await Get("/odata/$metadata?$format=application/json"), await Get("/odata/$metadata?$format=json"),
                     await Get("/odata/$metadata", ("Accept", "application/json;odata.metadata=full"), ("OData-MaxVersion", "4.01")),
                 })
        {
            Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
            var csdl = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.NotNull(csdl["SpatialReadiness"]!["Container"]!["Wards"]);
        }
    }

    [Fact]
    public async Task A_layers_own_set_and_its_sensitive_fields_appear_only_to_readers_allowed_them()
    {
        const string city = "od-own-sets";
        const string survey = """
            {"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"slum_id":"S-1","slum_name":"Lakshmi Nagar","households":"120","head_name":"R. Kamble"},
               "geometry":{"type":"Polygon","coordinates":[[[73.85,18.52],[73.851,18.52],[73.851,18.521],[73.85,18.521],[73.85,18.52]]]}}]}
            """;
        if (await server.Database.ScalarAsync<long>("SELECT count(*) FROM layers WHERE city_id = $1", city) == 0)
        {
            await server.Admin.CreateCityAsync(city);
            await server.Admin.UploadAsync(city, SharedData.TempFile("survey.geojson", survey), "slum", ("name", "survey"), ("sensitiveFields", "head_name"),
                ("owner", ServerFixture.CityOrg)).CreatedLayerAsync();
            await server.Admin.UploadAsync(city, SharedData.TempFile("register.geojson", survey), "other", ("name", "register"), ("sensitive", "true"),
                ("owner", ServerFixture.CityOrg)).CreatedLayerAsync();
        }
        var outsider = await server.UserAsync($"od-outsider-{Guid.NewGuid():N}"[..20], Role.Contributor, ServerFixture.NgoOrg);

        foreach (var (reader, allowed) in new[] { (server.Client, false), (outsider, false), (server.Moderator, true), (server.Admin, true) })
        {
            var sets = (await reader.GetJsonAsync("/odata")).GetProperty("value").EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToList();
            Assert.Contains("od_own_sets_survey", sets);
            Assert.Equal(allowed, sets.Contains("od_own_sets_register"));
            var csdl = XDocument.Parse(await reader.GetStringAsync("/odata/$metadata"));
            var type = csdl.Descendants(Edm + "EntityType").Single(t => t.Attribute("Name")!.Value == "od_own_sets_survey");
            var properties = type.Elements(Edm + "Property").Select(p => p.Attribute("Name")!.Value).ToList();
            Assert.Contains("slum_name", properties);
            Assert.Equal(allowed, properties.Contains("head_name"));
            Assert.Equal(allowed, csdl.Descendants(Edm + "EntitySet").Any(s => s.Attribute("Name")!.Value == "od_own_sets_register"));

            var rows = await reader.GetAsync("/odata/od_own_sets_survey");
            Assert.Equal(allowed, (await rows.Content.ReadAsStringAsync()).Contains("Kamble"));
            Assert.Equal(allowed ? HttpStatusCode.OK : HttpStatusCode.NotFound, (await reader.GetAsync("/odata/od_own_sets_register/$count")).StatusCode);
            var probe = await reader.GetAsync("/odata/od_own_sets_survey/$count?$filter=head_name eq 'R. Kamble'");
            Assert.Equal(allowed ? HttpStatusCode.OK : HttpStatusCode.BadRequest, probe.StatusCode);
        }
    }

    [Fact]
    public async Task Field_types_follow_the_data_the_same_in_OData_and_OGC_queryables_and_change_with_a_new_version()
    {
        const string city = "od-types";
        static string Layer(string count, string share, string flag) => $$$"""
            {"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"count":{{{count}}},"share":{{{share}}},"flag":{{{flag}}},"code":"7","mixed":3},"geometry":{"type":"Point","coordinates":[73.85,18.52]}},
              {"type":"Feature","properties":{"count":12,"share":1,"flag":false,"code":"8","mixed":"n/a"},"geometry":{"type":"Point","coordinates":[73.86,18.53]}}]}
            """;
        await server.Admin.CreateCityAsync(city);
        await server.Admin.UploadAsync(city, SharedData.TempFile("points.geojson", Layer("3", "0.5", "true")), "asset", ("name", "points")).CreatedLayerAsync();
        var expected = new Dictionary<string, (string Json, string Edm)>
        {
            ["count"] = ("integer", "Edm.Int64"), ["share"] = ("number", "Edm.Double"), ["flag"] = ("boolean", "Edm.Boolean"),
            ["code"] = ("string", "Edm.String"), ["mixed"] = ("string", "Edm.String"),
        };
        await AssertTypesAsync(expected);
        var row = (await server.Client.GetJsonAsync("/odata/od_types_points?$top=1")).GetProperty("value")[0];
        Assert.Equal(3, row.GetProperty("count").GetInt64());
        Assert.Equal("3", row.GetProperty("mixed").GetString()); // a mixed field is text, its numbers written as text
        var totals = (await server.Client.GetJsonAsync("/odata/od_types_points?$apply=aggregate(flag with min as AllTrue,flag with max as AnyTrue,"
                                                      + "count with sum as Count,share with average as Share,mixed with countdistinct as Mixed)")).GetProperty("value")[0];
        Assert.False(totals.GetProperty("AllTrue").GetBoolean());
        Assert.True(totals.GetProperty("AnyTrue").GetBoolean());
        Assert.Equal(15, totals.GetProperty("Count").GetInt64());
        Assert.Equal(0.75, totals.GetProperty("Share").GetDouble(), 1e-12);
        Assert.Equal(2, totals.GetProperty("Mixed").GetInt64());

        // A new version with text where the numbers were: the types follow at once.
        await server.Admin.UploadAsync(city, SharedData.TempFile("points.geojson", Layer("\"many\"", "0.5", "true")), "asset", ("name", "points")).CreatedLayerAsync();
        expected["count"] = ("string", "Edm.String");
        await AssertTypesAsync(expected);

        async Task AssertTypesAsync(Dictionary<string, (string Json, string Edm)> types)
        {
            var queryables = (await server.Client.GetJsonAsync($"/ogc/collections/{city}__points/queryables")).GetProperty("properties");
            var csdl = XDocument.Parse(await server.Client.GetStringAsync("/odata/$metadata"));
            var type = csdl.Descendants(Edm + "EntityType").Single(t => t.Attribute("Name")!.Value == "od_types_points");
            foreach (var (field, (json, edm)) in types)
            {
                Assert.Equal(json, queryables.GetProperty(field).GetProperty("type").GetString());
                Assert.Equal(edm, type.Elements(Edm + "Property").Single(p => p.Attribute("Name")!.Value == field).Attribute("Type")!.Value);
            }
        }
    }

    [Theory]
    [InlineData("/odata/Wards?$compute=1 as one", 501, "$compute")]
    [InlineData("/odata/Wards?$index=2", 501, "$index")]
    [InlineData("/odata/Wards?$apply=compute(1 as one)", 501, "Compute")]
    [InlineData("/odata/Wards?$apply=groupby((ward_no))/groupby((ward_no))", 501, "groupby")]
    [InlineData("/odata/Wards?$apply=groupby((ward_no))&$filter=ward_no eq '1'", 501, "$filter")]
    [InlineData("/odata/Wards?$apply=aggregate(ward_name with sum as S)", 400, "ward_name")]
    [InlineData("/odata/Wards?$apply=aggregate(Wkt with max as S)", 501, "Wkt")]
    [InlineData("/odata/Wards?$apply=groupby((nope))", 400, "nope")]
    [InlineData("/odata/Wards?$search=", 400, "search")]
    [InlineData("/odata/Wards/$count/$value", 404, "$count")]
    [InlineData("/odata/Wards(1)/nope", 404, "nope")]
    [InlineData("/odata/Wards('x')", 400, "Wards('x')")]
    [InlineData("/odata/Wards?$expand=Layer", 400, "Layer")]
    public async Task What_is_not_supported_is_refused_naming_it_never_ignored(string url, int status, string named)
    {
        var response = await server.Client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"{url}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains(named, JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString());
    }

    /// <summary>
    /// Attributes of every JSON kind, with quotes, backslashes, control characters and non-Latin text, stored by
    /// PostgreSQL: the spliced (fast) open entity is valid JSON and equal to what the validating writer writes.
    /// </summary>
    [Fact]
    public async Task The_fast_open_entity_writer_writes_what_the_validating_writer_writes()
    {
        const string city = "od-splice";
        if (await server.Database.ScalarAsync<long>("SELECT count(*) FROM layers WHERE city_id = $1", city) == 0)
        {
            await server.Admin.CreateCityAsync(city);
            await server.Admin.UploadAsync(city, SharedData.TempFile("one.geojson", """
                {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":1},"geometry":{"type":"Point","coordinates":[73.85,18.52]}}]}
                """), "asset", ("name", "one")).CreatedLayerAsync();
        }
        var layer = (await new LayerStore(server.Database.DataSource).ListLayersAsync(city)).Single();
        var random = new Random(15);
        string[] texts = ["plain", "quote \" and \\ backslash", "नागपुर", "tab\tnew\nline", "\u0001\u001f", "emoji 🗺", "</script>", "'single'", ""];
        for (var round = 0; round < 200; round++)
        {
            var attributes = new JsonObject();
            for (var i = random.Next(0, 8); i > 0; i--)
                attributes[texts[random.Next(texts.Length)] + i] = random.Next(6) switch
                {
                    0 => JsonValue.Create(texts[random.Next(texts.Length)]),
                    1 => JsonValue.Create(random.NextDouble() * 1e6 - 5e5),
                    2 => JsonValue.Create(random.Next()),
                    3 => JsonValue.Create(random.Next(2) == 0),
                    4 => new JsonObject { ["nested"] = new JsonArray(1, "two", null) },
                    _ => null,
                };
            var stored = await server.Database.ScalarAsync<string>("SELECT $1::jsonb::text", attributes.ToJsonString());
            var row = new FeatureRow(round, layer.Id, System.Text.Encoding.UTF8.GetBytes(stored), "{\"type\":\"Point\",\"coordinates\":[73.85,18.52]}"u8.ToArray(), "POINT(73.85 18.52)"u8.ToArray(), 73.85, 18.52, 0, [73.85, 18.52, 73.85, 18.52]);
            Assert.True(JsonNode.DeepEquals(Written(row, validate: true), Written(row, validate: false)), stored);
        }

        JsonNode Written(FeatureRow row, bool validate)
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            var output = new ODataJson(new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["SR_ODATA_VALIDATE"] = validate ? "true" : "false" }).Build());
            using (var json = output.Writer(buffer))
            {
                json.WriteStartObject();
                new ODataEntityWriter(json, validate, null).OpenFeature(row, layer);
                json.WriteEndObject();
            }
            return JsonNode.Parse(buffer.WrittenSpan)!;
        }
    }
}
