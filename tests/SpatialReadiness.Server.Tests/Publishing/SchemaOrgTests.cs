using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Publishing;

/// <summary>Each public layer's OGC collection page carries it as a schema.org Dataset, as Google Dataset Search reads it.</summary>
[Collection(PostgisCollection.Name)]
public sealed partial class SchemaOrgTests(ServerFixture server)
{
    private async Task<List<JsonElement>> LinkedDataAsync(HttpClient client, string collection)
    {
        var response = await client.GetAsync($"/ogc/collections/{collection}?f=html");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. Script().Matches(await response.Content.ReadAsStringAsync()).Select(m => JsonDocument.Parse(m.Groups[1].Value).RootElement.Clone())];
    }

    [Fact]
    public async Task A_public_layers_page_embeds_a_schema_org_Dataset_with_licence_extent_and_downloads()
    {
        await PublishingCity.EnsureAsync(server);
        var dataset = Assert.Single(await LinkedDataAsync(server.Client, $"{PublishingCity.Id}__wards"));

        Assert.Equal("https://schema.org/", dataset.GetProperty("@context").GetString());
        Assert.Equal("Dataset", dataset.GetProperty("@type").GetString());
        Assert.Equal("Pune wards", dataset.GetProperty("name").GetString());
        Assert.Equal("https://creativecommons.org/licenses/by-sa/2.5/in/", dataset.GetProperty("license").GetString());
        Assert.Equal("2024-03-01", dataset.GetProperty("temporalCoverage").GetString());
        Assert.Equal("Pune Municipal Corporation", dataset.GetProperty("creator").GetProperty("name").GetString());
        var box = dataset.GetProperty("spatialCoverage").GetProperty("geo").GetProperty("box").GetString()!.Split(' ').Select(double.Parse).ToArray();
        Assert.InRange(box[0], 18.3, 18.7); // south, west, north, east: Pune
        Assert.InRange(box[1], 73.6, 74.0);
        Assert.Equal(4, dataset.GetProperty("distribution").GetArrayLength());
        Assert.Contains("ward", dataset.GetProperty("keywords").EnumerateArray().Select(k => k.GetString()));
    }

    [Fact]
    public async Task A_sensitive_layers_page_for_its_owners_carries_nothing_for_search_engines()
    {
        await PublishingCity.EnsureAsync(server);
        Assert.Empty(await LinkedDataAsync(server.Moderator, $"{PublishingCity.Id}__{PublishingCity.Sensitive}"));
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync($"/ogc/collections/{PublishingCity.Id}__{PublishingCity.Sensitive}?f=html")).StatusCode);
    }

    [GeneratedRegex("<script type=\"application/ld\\+json\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex Script();
}
