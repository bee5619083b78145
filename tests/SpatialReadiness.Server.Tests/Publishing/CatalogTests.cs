using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Publishing;

/// <summary>
/// The DCAT-AP 3 catalogue as an open-data portal harvests it: validated by an independent SHACL engine against the
/// standard's own shapes, the same graph in Turtle, JSON-LD and RDF/XML (read by rdflib), never listing a sensitive
/// layer, and carrying each layer's readiness quality.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class CatalogTests(ServerFixture server)
{
    private async Task<string> GetAsync(HttpClient client, string url, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (accept is not null) request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse(accept));
        var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode} {body}");
        Assert.Equal("public, max-age=300", response.Headers.CacheControl?.ToString());
        return body;
    }

    private static List<JsonElement> Results(JsonElement report, string severity) =>
        report.GetProperty("results").EnumerateArray().Where(r => r.GetProperty("severity").GetString() == severity).ToList();

    [Fact]
    public async Task A_city_with_every_layer_kind_validates_against_DCAT_AP_3_with_no_violation_and_no_warning()
    {
        await PublishingCity.EnsureAsync(server);
        var turtle = await GetAsync(server.Client, $"/catalog/{PublishingCity.Id}.ttl");

        var report = await RdfClients.ValidateAsync(turtle);

        Assert.Empty(Results(report, "Violation"));
        Assert.Empty(Results(report, "Warning"));
        Assert.True(report.GetProperty("conforms").GetBoolean(), report.ToString());
        Assert.True(report.GetProperty("triples").GetInt32() > 500, "a catalogue of five datasets has hundreds of statements");
        foreach (var layer in PublishingCity.Layers.Select(l => l.Name).Append("slums"))
            Assert.Contains($"/catalog/{PublishingCity.Id}/datasets/{layer}>", turtle);
        Assert.DoesNotContain(PublishingCity.Sensitive, turtle);
        // The licences the city used, as their URIs; the frequencies as the EU vocabulary's.
        Assert.Contains("<https://creativecommons.org/licenses/by-sa/2.5/in/>", turtle);
        Assert.Contains("<https://data.gov.in/government-open-data-license-india>", turtle);
        Assert.Contains("<https://opendatacommons.org/licenses/odbl/1-0/>", turtle);
        Assert.Contains("<http://publications.europa.eu/resource/authority/frequency/QUARTERLY>", turtle);
    }

    [Fact]
    public async Task A_deliberately_incomplete_layer_is_listed_with_warnings_for_what_it_lacks_and_no_violation()
    {
        const string city = "pub-bare";
        if (await server.Database.ScalarAsync<long>("SELECT count(*) FROM layers WHERE city_id = $1", city) == 0)
        {
            await server.Admin.CreateCityAsync(city, "Bare");
            // No description, survey date, custodian, source or update frequency; a licence nobody can look up.
            await server.Moderator.UploadAsync(city, PublishingCity.Slums(), "bare.geojson", "slum", ("name", "bare"), ("licence", "ask the ward office")).CreatedLayerAsync();
        }
        var report = await RdfClients.ValidateAsync(await GetAsync(server.Client, $"/catalog/{city}.ttl"));

        Assert.Empty(Results(report, "Violation"));
        var warnings = Results(report, "Warning").Select(w => (w.GetProperty("path").GetString()!.Split('/', '#')[^1], w.GetProperty("focusNode").GetString()!.Split('/')[^1]))
            .Order().ToList();
        Assert.Equal([("accrualPeriodicity", "bare"), ("license", "csv"), ("license", "geojson"), ("license", "gpkg"), ("license", "shp"), ("temporal", "bare")], warnings);
    }

    [Fact]
    public async Task Turtle_JSON_LD_and_RDF_XML_are_the_same_graph_by_extension_and_by_content_negotiation()
    {
        await PublishingCity.EnsureAsync(server);
        // rdflib compares one city's catalogue (graph isomorphism over every blank node is slow on the whole server's,
        // which in a full test run holds every test's cities); the server's is the same code, checked by negotiation.
        var city = $"/catalog/{PublishingCity.Id}";
        var compared = await RdfClients.CompareAsync(await GetAsync(server.Client, city + ".ttl"), await GetAsync(server.Client, city + ".jsonld"), await GetAsync(server.Client, city + ".rdf"));

        Assert.True(compared.GetProperty("same").GetBoolean(), compared.ToString());
        Assert.True(compared.GetProperty("triples").GetProperty("turtle").GetInt32() > 500);
        var turtle = await GetAsync(server.Client, "/catalog.ttl");
        var jsonLd = await GetAsync(server.Client, "/catalog.jsonld");
        var rdfXml = await GetAsync(server.Client, "/catalog.rdf");
        Assert.Equal(turtle, await GetAsync(server.Client, "/catalog", "text/turtle"));
        Assert.Equal(rdfXml, await GetAsync(server.Client, "/catalog", "application/rdf+xml"));
        Assert.Equal(jsonLd, await GetAsync(server.Client, "/catalog", "application/ld+json"));
        Assert.Equal(jsonLd, await GetAsync(server.Client, "/catalog"));
        using var html = new HttpRequestMessage(HttpMethod.Get, "/catalog");
        html.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("image/png"));
        Assert.Equal(HttpStatusCode.NotAcceptable, (await server.Client.SendAsync(html)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/catalog.xlsx")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/catalog/no-such-city.ttl")).StatusCode);
    }

    [Fact]
    public async Task Signed_in_readers_allowed_the_sensitive_layer_get_the_same_public_catalogue()
    {
        await PublishingCity.EnsureAsync(server);
        var anonymous = await GetAsync(server.Client, $"/catalog/{PublishingCity.Id}.ttl");
        // The moderator's organisation owns the household layer and may read it elsewhere: not here.
        var owner = await GetAsync(server.Moderator, $"/catalog/{PublishingCity.Id}.ttl");
        var admin = await GetAsync(server.Admin, $"/catalog/{PublishingCity.Id}.ttl");
        Assert.Equal(anonymous, owner);
        Assert.Equal(anonymous, admin);
        Assert.DoesNotContain(PublishingCity.Sensitive, admin);
    }

    [Fact]
    public async Task Each_dataset_carries_its_readiness_quality_and_rule_set_with_its_findings_link()
    {
        await PublishingCity.EnsureAsync(server);
        var score = await server.Client.ReadinessAsync(PublishingCity.Id);
        var graph = JsonDocument.Parse(await GetAsync(server.Client, $"/catalog/{PublishingCity.Id}.jsonld")).RootElement.GetProperty("@graph").EnumerateArray().ToList();
        JsonElement Node(string id) => graph.Single(n => n.GetProperty("@id").GetString() == id);
        foreach (var name in new[] { "wards", "slums", "offices", "boundary", "admin-wards" })
        {
            var dataset = graph.Single(n => n.GetProperty("@id").GetString()!.EndsWith($"/catalog/{PublishingCity.Id}/datasets/{name}", StringComparison.Ordinal));
            var measurements = dataset.GetProperty("dqv:hasQualityMeasurement").EnumerateArray().Select(m => Node(m.GetProperty("@id").GetString()!)).ToList();
            var byMetric = measurements.ToDictionary(m => m.GetProperty("dqv:isMeasurementOf")[0].GetProperty("@id").GetString()!.Split('/')[^1],
                m => m.GetProperty("dqv:value")[0].GetProperty("@value").GetString());
            Assert.Equal(score.Layer(name).GetProperty("quality").GetDouble(), double.Parse(byMetric["layer-quality"]!, System.Globalization.CultureInfo.InvariantCulture), 4);
            Assert.Equal(score.GetProperty("ruleSetVersion").GetString(), byMetric["rule-set-version"]);
            Assert.All(measurements, m => Assert.EndsWith($"/api/cities/{PublishingCity.Id}/findings?layer={name}", m.GetProperty("rdfs:seeAlso")[0].GetProperty("@id").GetString()));
            Assert.Equal(4, dataset.GetProperty("dcat:distribution").GetArrayLength());
        }
    }
}
