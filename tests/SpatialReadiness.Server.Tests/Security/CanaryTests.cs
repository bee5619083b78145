using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Security;

/// <summary>
/// The sensitive-data promise over the whole API (docs/security.md, "Who sees what"): markers planted in every
/// sensitive field, in attributes every rule uses and in a sensitive layer's name, title, field name and values
/// (<see cref="CanaryCity"/>) reach nobody outside the owning organisation through any readable resource the API
/// documents (<see cref="ApiSurface"/>), and the owner's contributor receives every one of them, so the test cannot
/// pass by serving nothing.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class CanaryTests(ServerFixture server)
{
    [Fact]
    public async Task No_marker_reaches_a_reader_outside_the_owning_organisation_anywhere_in_the_API_and_the_owner_receives_every_one()
    {
        var city = await CanaryCity.GetAsync(server);
        var (urls, unfilled) = await ApiSurface.UrlsAsync(city.Owner, city);
        Assert.True(unfilled.Count == 0, "path parameters the canary test cannot fill (teach ApiSurface.Values their values): " + string.Join("; ", unfilled));
        urls.AddRange(ApiSurface.StyleVariants(city));
        Assert.Contains(urls, u => u.StartsWith("/ogc/collections/canary-city__hhcanaryzq/items/", StringComparison.Ordinal)); // the owner's documents list the hidden layer
        Assert.True(urls.Count > 150, $"only {urls.Count} resources found");

        var leaks = new List<string>();
        foreach (var (name, client) in city.Strangers)
            foreach (var url in urls)
            {
                var (_, text) = await ApiSurface.ReadAsync(client, url);
                text = ApiSurface.WithoutEcho(text, url);
                foreach (var marker in CanaryCity.Markers.Where(m => text.Contains(m, StringComparison.Ordinal)))
                    leaks.Add($"{name}: GET {url} shows {marker}: …{Around(text, marker)}…");
            }
        Assert.True(leaks.Count == 0, $"{leaks.Count} leaks:\n" + string.Join("\n", leaks.Take(40)));

        var seen = new HashSet<string>();
        foreach (var url in urls)
        {
            var (_, text) = await ApiSurface.ReadAsync(city.Owner, url);
            seen.UnionWith(CanaryCity.Markers.Where(m => ApiSurface.WithoutEcho(text, url).Contains(m, StringComparison.Ordinal)));
        }
        Assert.Equal(CanaryCity.Markers.Order(), seen.Order());
    }

    [Fact]
    public async Task The_owner_reads_the_findings_built_from_hidden_fields_in_full_and_everyone_else_reads_them_redacted()
    {
        var city = await CanaryCity.GetAsync(server);
        var owner = await city.Owner.FindingsAsync(city.City);
        var mine = owner.Features().Select(f => f.GetProperty("properties")).ToList();
        Assert.Contains(mine, f => f.GetProperty("rule").GetString() == "ID_NOT_UNIQUE" && f.GetProperty("detail").GetString()!.Contains("CANARY-SID-1"));
        Assert.Contains(mine, f => f.GetProperty("rule").GetString() == "ATTR_COORDINATES" && f.GetProperty("detail").GetString()!.Contains("10.02468"));
        Assert.Contains(mine, f => f.GetProperty("layer").GetString() == CanaryCity.HiddenLayer);
        foreach (var (name, client) in city.Strangers)
        {
            var theirs = (await client.FindingsAsync(city.City)).Features().ToList();
            var shared = theirs.Where(f => f.GetProperty("properties").GetProperty("rule").GetString() == "ID_NOT_UNIQUE").ToList();
            Assert.True(shared.Count == 2, name); // still counted and listed, by feature
            Assert.All(shared, f => Assert.Equal("built from a restricted field: its detail is withheld", f.GetProperty("properties").GetProperty("detail").GetString()));
            Assert.All(shared, f => Assert.StartsWith("#", f.GetProperty("properties").GetProperty("feature").GetString()));
            var coordinates = theirs.Single(f => f.GetProperty("properties").GetProperty("rule").GetString() == "ATTR_COORDINATES");
            Assert.Equal(System.Text.Json.JsonValueKind.Null, coordinates.GetProperty("geometry").ValueKind);
            // Geometry-only findings keep their detail.
            Assert.DoesNotContain(theirs, f => f.GetProperty("properties").GetProperty("layer").GetString() == CanaryCity.HiddenLayer);
        }
    }

    [Fact]
    public async Task A_sensitive_layer_answers_a_stranger_exactly_as_a_layer_that_does_not_exist()
    {
        var city = await CanaryCity.GetAsync(server);
        var hidden = city.Layers[CanaryCity.HiddenLayer];
        string[] paths = ["/api/layers/{0}", "/api/layers/{0}/versions", "/api/layers/{0}/access", "/api/layers/{0}/export?format=csv",
            "/api/layers/{0}/features/1/history", "/tiles/{0}/12/2888/1846.mvt", "/tiles/{0}.json", "/styles/other?layer={0}"];
        foreach (var (name, client) in city.Strangers)
            foreach (var path in paths)
            {
                var unknown = await ProblemAsync(client, path, ApiSurface.UnknownLayer);
                Assert.True(unknown.StartsWith("404 application/problem+json", StringComparison.Ordinal), $"{name} {path}: {unknown}");
                Assert.Equal(unknown, await ProblemAsync(client, path, hidden));
            }
        foreach (var (name, client) in city.Strangers)
        {
            var layers = await client.GetStringAsync($"/api/cities/{city.City}/layers");
            Assert.DoesNotContain(CanaryCity.HiddenLayer, layers);
            var score = await client.GetJsonAsync($"/api/cities/{city.City}/readiness");
            Assert.Equal(1, score.GetProperty("restrictedLayers").GetInt32());
        }
        Assert.Equal(0, (await city.Owner.GetJsonAsync($"/api/cities/{city.City}/readiness")).GetProperty("restrictedLayers").GetInt32());
    }

    [Fact]
    public async Task Changing_a_sensitive_layers_field_map_answers_a_stranger_exactly_as_a_layer_that_does_not_exist()
    {
        var city = await CanaryCity.GetAsync(server);
        var hidden = city.Layers[CanaryCity.HiddenLayer];
        foreach (var (name, client) in city.Strangers)
        {
            var unknown = await ProblemAsync(client, "/api/layers/{0}/field-map", ApiSurface.UnknownLayer, put: "{\"name\":\"label\"}");
            Assert.Equal(unknown, await ProblemAsync(client, "/api/layers/{0}/field-map", hidden, put: "{\"name\":\"label\"}"));
        }
    }

    /// <summary>Status, content type and problem (type, title, detail with the id written ID) of GET (or PUT <paramref name="put"/>) path for a layer id.</summary>
    private static async Task<string> ProblemAsync(HttpClient client, string path, long layer, string? put = null)
    {
        var url = string.Format(System.Globalization.CultureInfo.InvariantCulture, path, layer);
        using var response = put is null ? await client.GetAsync(url)
            : await client.PutAsync(url, new StringContent(put, System.Text.Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        var problem = ApiSurface.Json(body);
        var id = System.Text.RegularExpressions.Regex.Escape(layer.ToString(System.Globalization.CultureInfo.InvariantCulture));
        string? Member(string name) => problem.TryGetProperty(name, out var value)
            ? System.Text.RegularExpressions.Regex.Replace(value.ToString(), $@"(?<!\d){id}(?!\d)", "ID") : null;
        return $"{(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType} {Member("type")} {Member("title")} {Member("code")} {Member("detail")}";
    }

    private static string Around(string text, string marker)
    {
        var at = text.IndexOf(marker, StringComparison.Ordinal);
        var start = Math.Max(0, at - 80);
        return text[start..Math.Min(text.Length, at + marker.Length + 80)].ReplaceLineEndings(" ");
    }
}
