using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SpatialReadiness.Server.Tests.Infrastructure;
using static SpatialReadiness.Server.Tests.Infrastructure.ContributionCity;

namespace SpatialReadiness.Server.Tests.Security;

/// <summary>
/// A contributor who may not read a field cannot learn its values by proposing (docs/security.md, "Who sees what"):
/// through every proposal channel (JSON, a file, an OGC API write), a right and a wrong guess at a hidden value give
/// the same answer (status, state, changes, findings). The layer's own moderators see the difference (an id shared,
/// a near duplicate), so each pair of guesses really does probe something.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class OracleTests(ServerFixture server)
{
    private const string CityId = "oracle-city";
    private static Task<ContributionCity>? _shared;
    private static readonly Lock Gate = new();

    private async Task<ContributionCity> CityAsync()
    {
        lock (Gate) _shared ??= SetUpAsync(server);
        return await _shared;
    }

    // slum_id (the id field) and head_name are hidden from the other organisation's contributor.
    private static async Task<ContributionCity> SetUpAsync(ServerFixture server)
    {
        var city = await CreateAsync(server, CityId, sensitiveHeads: true);
        var access = await server.Admin.PatchAsJsonAsync($"/api/layers/{city.Slums}/access", new { sensitiveFields = new[] { "slum_id", "head_name" } });
        Assert.True(access.IsSuccessStatusCode, await access.Content.ReadAsStringAsync());
        return city;
    }

    /// <summary>Guesses: S1's hidden id on a slum far from it; S2's hidden head name on an exact copy of S2.</summary>
    public static TheoryData<string, string> Channels => new() { { "json", "id" }, { "file", "id" }, { "ogc", "id" }, { "json", "record" }, { "file", "record" }, { "ogc", "record" } };

    [Theory]
    [MemberData(nameof(Channels))]
    public async Task A_right_and_a_wrong_guess_at_a_hidden_value_get_the_same_answer(string channel, string guess)
    {
        var city = await CityAsync();
        var (right, wrong) = guess == "id"
            ? (Slum("S1", "Far Nagar", "2", 10, "n/a"), Slum("S9", "Far Nagar", "2", 10, "n/a"))
            : (Slum("S2", "Sai Nagar", "2", 80, "S. Pawar"), Slum("S2", "Sai Nagar", "2", 80, "X. Wrong"));
        var geometry = guess == "id" ? Square(73.88011, 18.58013, 73.88517, 18.58519) : Square(73.86011, 18.52013, 73.86517, 18.52519);

        var (rightStatus, rightBody) = await ProposeAsync(channel, city, right, geometry);
        var (wrongStatus, wrongBody) = await ProposeAsync(channel, city, wrong, geometry);
        Assert.Equal(wrongStatus, rightStatus);
        Assert.Equal(Seen(wrongBody), Seen(rightBody));

        // The layer's moderators see what the guess hit: the probe was real.
        var forOwner = await server.Moderator.GetJsonAsync($"/api/contributions/{Id(rightBody)}");
        var ownerWrong = await server.Moderator.GetJsonAsync($"/api/contributions/{Id(wrongBody)}");
        var telling = guess == "id" ? "ID_NOT_UNIQUE" : "NEAR_DUPLICATE";
        Assert.True((guess == "id") == forOwner.Rules().Contains(telling), forOwner.ToString());
        Assert.True((guess == "id") != ownerWrong.Rules().Contains(telling), ownerWrong.ToString());
    }

    private async Task<(int Status, JsonElement Body)> ProposeAsync(string channel, ContributionCity city, string properties, string geometry)
    {
        var client = server.Contributor; // the NGO's: may not read slum_id or head_name
        HttpResponseMessage response;
        switch (channel)
        {
            case "json":
                response = await client.ProposeAsync(city.Slums, "guess", Create(properties, geometry));
                break;
            case "file":
                using (var form = new MultipartFormDataContent
                {
                    { new StringContent("guess"), "comment" },
                    { new ByteArrayContent(Encoding.UTF8.GetBytes("{\"type\":\"FeatureCollection\",\"features\":[" + Feature(properties, geometry) + "]}")), "file", "guess.geojson" },
                })
                    response = await client.PostAsync($"/api/layers/{city.Slums}/contributions", form);
                break;
            default:
                using (var content = new StringContent(Feature(properties, geometry), Encoding.UTF8, "application/geo+json"))
                    response = await client.PostAsync(city.Items, content);
                break;
        }
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{channel}: {(int)response.StatusCode} {text}");
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static long Id(JsonElement contribution) => contribution.GetProperty("id").GetInt64();

    /// <summary>The contribution as its author reads it, without what differs between any two contributions (id, times, source hash and size).</summary>
    private static string Seen(JsonElement contribution)
    {
        var node = JsonNode.Parse(contribution.GetRawText())!.AsObject();
        foreach (var varying in new[] { "id", "createdAt", "links", "source" }) node.Remove(varying);
        return node.ToJsonString();
    }
}
