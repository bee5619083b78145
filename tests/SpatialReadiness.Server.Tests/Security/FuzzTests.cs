using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using SpatialReadiness.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace SpatialReadiness.Server.Tests.Security;

/// <summary>
/// Hostile filter and paging values thrown at every reading interface (OGC API items with CQL2 text, bbox, sortby,
/// offset, limit, datetime, field=value; OData $filter, $orderby, $top, $skip, $select; findings and contribution lists;
/// tile z/x/y) and at the contribution JSON bodies: no answer may be a 5xx, every JSON answer must parse whole (a body
/// cut short fails to parse) and every 4xx must be problem+json. Request i is made from Random(seed + i), so a failure
/// names the seed and the request and can be replayed alone (SR_FUZZ_SEED picks another seed).
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class FuzzTests(ServerFixture server, ITestOutputHelper output) : IAsyncLifetime
{
    private const string City = "fuzzpur";
    private const int Requests = 3000;
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("SR_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) ? seed : 20261204;
    /// <summary>Fields of the slum layers, the shared ones more often (a field a layer lacks is a 400 too).</summary>
    private static readonly string[] Fields = ["slum_id", "status", "households", "slum_id", "status", "households", "slum_name", "ward_no", "head_name", "note"];

    private ContributionCity _city = null!;
    private HttpClient _anonymous = null!;
    private long _mixed;

    public async Task InitializeAsync()
    {
        _anonymous = new HttpClient { BaseAddress = server.BaseAddress };
        if ((await server.Client.GetAsync($"/api/cities/{City}")).IsSuccessStatusCode)
        {
            var layers = await _anonymous.GetJsonAsync($"/api/cities/{City}/layers");
            long Id(string name) => layers.EnumerateArray().Single(l => l.GetProperty("name").GetString() == name).GetProperty("id").GetInt64();
            _city = new ContributionCity(City, Id("slums"), Id("wards"), 0, 0);
            _mixed = Id("mixed");
            return;
        }
        _city = await ContributionCity.CreateAsync(server, City);
        // Values of every kind in one field, a self-intersecting polygon, a feature without geometry, odd text.
        var features = new[]
        {
            ContributionCity.Feature("""{"slum_id":"M1","households":"n/a","note":"😀 Ω 'quoted' \\ %_"}""", "{\"type\":\"Polygon\",\"coordinates\":[[[73.81,18.51],[73.82,18.52],[73.82,18.51],[73.81,18.52],[73.81,18.51]]]}"),
            ContributionCity.Feature("""{"slum_id":"M2","households":12.5,"status":true,"note":null}""", "null"),
            ContributionCity.Feature("""{"slum_id":"M3","households":99999999999999999999,"status":"2024-01-31"}""", ContributionCity.Square(73.83, 18.53, 73.84, 18.54)),
            ContributionCity.Feature("""{"slum_id":"M4","households":-5,"note":"İstanbul ß"}""", "{\"type\":\"Point\",\"coordinates\":[73.85,18.55]}"),
        };
        var collection = Encoding.UTF8.GetBytes("{\"type\":\"FeatureCollection\",\"features\":[" + string.Join(",", features) + "]}");
        _mixed = (await server.Admin.UploadAsync(City, collection, "mixed.geojson", "slum", ("name", "mixed")).CreatedLayerAsync()).GetProperty("id").GetInt64();
    }

    public Task DisposeAsync()
    {
        _anonymous.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Hostile_filter_and_paging_values_never_get_a_5xx_or_a_broken_body()
    {
        var clock = Stopwatch.StartNew();
        var failures = new List<string>();
        var statuses = new Dictionary<int, int>();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < Requests; i = Interlocked.Increment(ref next))
            {
                var (method, url, body, client) = Request(new HostileValues(new Random(Seed + i), Fields), i);
                var problem = await CheckAsync(method, url, body, client, statuses);
                if (problem is not null)
                    lock (failures) failures.Add($"seed {Seed} request {i}: {method} {url}{(body is null ? "" : " " + Truncate(body))}\n  {problem}");
            }
        }));
        output.WriteLine($"{Requests} requests in {clock.Elapsed.TotalSeconds:0.0} s (seed {Seed}); statuses: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");
        // What refused the requests most (the path and the problem's first words): shows which parts the fuzz reaches.
        foreach (var (reason, n) in Refusals.OrderByDescending(r => r.Value).Take(40)) output.WriteLine($"{n,5} {reason}");
        Assert.True(failures.Count == 0, $"{failures.Count} bad answers:\n" + string.Join("\n", failures.Take(15)));
        // The fuzz must reach both sides: answers with data and refusals.
        Assert.True(statuses.GetValueOrDefault(200) > Requests / 10 && statuses.GetValueOrDefault(400) > Requests / 10, string.Join(", ", statuses));
        // About 7 s on an idle machine; the bound leaves room for a loaded one.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), $"the fuzz took {clock.Elapsed}");
    }

    private (HttpMethod Method, string Url, string? Body, HttpClient Client) Request(HostileValues v, int i)
    {
        string Q(params (string Key, string? Value)[] pairs) =>
            "?" + string.Join('&', pairs.Where(p => p.Value is not null).Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value!)));
        string? Maybe(Func<string> value) => v.Maybe(value);
        var items = $"/ogc/collections/{City}__{(v.Hostile() ? "wards" : v.Pick((string[])["slums", "mixed"]))}/items";
        var reader = v.Pick([_anonymous, _anonymous, server.Admin, server.Contributor]);
        switch (i % 20)
        {
            case < 8:
                return (HttpMethod.Get, items + Q(("f", "json"), ("filter", v.Cql()), ("filter-lang", v.Hostile() ? v.Pick((string[])["cql2-json", "", "CQL2-TEXT", "\0"]) : v.Pick((string[])["cql2-text", "cql-text"])),
                    ("filter-crs", Maybe(v.Crs)), ("limit", Maybe(v.Paging)), ("offset", Maybe(v.Paging)), ("sortby", Maybe(v.SortBy))), null, reader);
            case 8 or 9:
                return (HttpMethod.Get, items + Q(("bbox", v.Bbox()), ("bbox-crs", Maybe(v.Crs)), ("crs", Maybe(v.Crs)), ("datetime", Maybe(v.Datetime)),
                    ("limit", Maybe(v.Paging)), ("offset", Maybe(v.Paging)), ("after", v.Hostile() ? v.Number() : null), (v.Field(), Maybe(v.Text)), (v.Field(), Maybe(v.Number))), null, reader);
            case 13:
                // One entity by key, and one OGC item by id: found, missing, malformed.
                return (HttpMethod.Get, v.Pick([$"/odata/{v.Pick((string[])["Features", "Slums", "Cities", "Layers"])}({Uri.EscapeDataString(v.Paging())})",
                    $"/odata/Cities('{Uri.EscapeDataString(v.Text().Replace("\0", ""))}')", $"{items}/{Uri.EscapeDataString(v.Paging())}" + Q(("crs", v.Maybe(v.Crs)))]), null, reader);
            case < 13 or 18:
                return (HttpMethod.Get, "/odata/" + (v.Hostile() ? v.Pick((string[])["Wards", "Findings", "Layers", "Cities", "ReadinessScores"]) : v.Pick((string[])["Features", "Slums"]))
                    + Q(("$filter", v.OData()), ("$orderby", Maybe(() => v.Field() + (v.Hostile() ? " sideways" : v.Pick((string[])["", " desc", " asc"])))),
                        ("$top", Maybe(v.Paging)), ("$skip", Maybe(v.Paging)), ("$select", Maybe(() => v.Hostile() ? v.Field() : v.Pick((string[])["Id", "Id,Wkt", "Location", "*"]))),
                        ("$count", Maybe(() => v.Hostile() ? "yes" : v.Pick((string[])["true", "false"]))), ("$skiptoken", Maybe(v.Number))), null, reader);
            case 14 or 15:
                string Coordinate() => v.Pick([v.Number(), v.Number(), v.Pick((string[])["14", "10", "5720", "11663", "-1", "a", "%00", "1.5", "0"])]);
                return (HttpMethod.Get, v.Pick([$"/tiles/{v.Pick([_city.Slums, _mixed])}", $"/tiles/city/{City}", "/tiles/" + Uri.EscapeDataString(v.Text().Replace("\0", ""))])
                    + $"/{Uri.EscapeDataString(Coordinate())}/{Uri.EscapeDataString(Coordinate())}/{Uri.EscapeDataString(Coordinate())}.mvt", null, reader);
            case 16 or 17:
                return (HttpMethod.Get, v.Pick([$"/api/cities/{City}/findings", "/api/contributions", $"/api/layers/{_mixed}/export"])
                    + Q(("limit", Maybe(v.Paging)), ("offset", Maybe(v.Paging)), ("rule", Maybe(v.Text)), ("severity", Maybe(v.Text)), ("layer", Maybe(v.Text)),
                        ("state", Maybe(v.Text)), ("format", v.Hostile() ? v.Pick((string[])["xml", "\0", "GeoJSON"]) : v.Pick((string[])["geojson", "csv"]))), null, v.Pick([_anonymous, server.Contributor]));
            default:
                return (HttpMethod.Post, $"/api/layers/{_city.Slums}/contributions", ContributionBody(v), server.Contributor);
        }
    }

    /// <summary>A contribution body: well-formed changes carrying plausible or hostile values, or JSON broken in one of many ways.</summary>
    private static string ContributionBody(HostileValues v)
    {
        string Value() => !v.Hostile() ? v.Pick((string[])["120", "\"S9\"", "null", "\"Sai Nagar\"", "12.5"])
            : v.Pick([v.Number(), JsonSerializer.Serialize(v.Text()), "\"\\u0000\"", "true", "{}", "[]", "[[[[[[1]]]]]]", "1e400", "\"\\ud800\""]);
        string Key() => JsonSerializer.Serialize(v.Hostile() ? v.Text() : v.Field());
        string Geometry() => !v.Hostile() ? ContributionCity.Square(73.86 + v.Pick([0, 1, 2, 3]) * 0.002, 18.53, 73.861 + v.Pick([0, 1, 2, 3]) * 0.002, 18.531) : v.Pick([
            "null", "{}", "{\"type\":\"Point\",\"coordinates\":[" + v.Number() + "," + v.Number() + "]}",
            "{\"type\":\"Polygon\",\"coordinates\":[[[73.86,18.53]]]}", "{\"type\":\"Polygon\",\"coordinates\":\"x\"}", "{\"type\":\"GeometryCollection\",\"geometries\":[]}"]);
        string Id() => v.Hostile() ? v.Number() : v.Pick((string[])["1", "2", "3"]);
        string Change() => v.Pick([
            $"{{\"action\":\"create\",\"feature\":{{\"type\":\"Feature\",\"properties\":{{\"slum_id\":{Value()},\"households\":{Value()},{Key()}:{Value()}}},\"geometry\":{Geometry()}}}}}",
            $"{{\"action\":\"modify\",\"featureId\":{Id()},\"baseVersion\":{Id()},\"feature\":{{\"properties\":{{{Key()}:{Value()}}}}}}}",
            $"{{\"action\":\"delete\",\"featureId\":{Id()},\"baseVersion\":{Id()}}}",
            v.Hostile() ? $"{{\"action\":{Value()}}}" : $"{{\"action\":\"create\",\"feature\":{{\"type\":\"Feature\",\"properties\":{{}},\"geometry\":{Geometry()}}}}}"]);
        if (!v.Hostile())
            return $"{{\"comment\":{JsonSerializer.Serialize(v.Text())},\"changes\":[{string.Join(",", Enumerable.Range(0, v.Pick([1, 1, 2, 3])).Select(_ => Change()))}]}}";
        return v.Pick([
            $"{{\"comment\":{Value()},\"licence\":{Value()},\"changes\":{Value()}}}",
            string.Concat(Enumerable.Repeat("[", v.Pick([70, 300, 1000]))),
            "{\"changes\":[" + Change(), "", "{", "\"\\ud800\"", "{\"changes\":[]}\0", "{'changes':[]}"]);
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> Refusals = new();

    private static void CountRefusal(string url, byte[] problem)
    {
        var path = url.Split('?')[0];
        var detail = JsonDocument.Parse(problem).RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : "";
        Refusals.AddOrUpdate($"{path[..Math.Min(24, path.Length)]}: {detail[..Math.Min(50, detail.Length)]}", 1, (_, n) => n + 1);
    }

    private static async Task<string?> CheckAsync(HttpMethod method, string url, string? body, HttpClient client, Dictionary<int, int> statuses)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        HttpResponseMessage response;
        byte[] content;
        try
        {
            response = await client.SendAsync(request);
            content = await response.Content.ReadAsByteArrayAsync(); // a body cut short by the server throws here
        }
        catch (HttpRequestException e) { return $"the answer broke off: {e.Message}"; }
        using (response)
        {
            var status = (int)response.StatusCode;
            lock (statuses) statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var type = response.Content.Headers.ContentType?.MediaType ?? "";
            if (status >= 500) return $"{status}: {Truncate(Encoding.UTF8.GetString(content))}";
            if (status >= 400 && type != "application/problem+json") return $"{status} as '{type}', not problem+json";
            if (type.Contains("json", StringComparison.Ordinal) || status >= 400)
                try { JsonDocument.Parse(content).Dispose(); }
                catch (JsonException e)
                {
                    var text = Encoding.UTF8.GetString(content);
                    return $"{status} {type}: the body is not whole JSON ({e.Message}): ...{text[^Math.Min(200, text.Length)..]}";
                }
            if (status is 400 or 409 or 422) CountRefusal(url, content);
            if (status == 200 && type.Length == 0 && content.Length > 0) return "200 without a content type";
            return null;
        }
    }

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "...";
}
