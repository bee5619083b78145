using System.Text.Json;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.Server.Tests.Infrastructure;
using static SpatialReadiness.Server.Tests.Infrastructure.ContributionCity;

namespace SpatialReadiness.Server.Tests.Security;

/// <summary>
/// A layer version's source digest is a hidden value in disguise (docs/security.md, "Who sees what"): the SHA-256 of
/// an accepted contribution's request body answers a guess at the sensitive values it carried offline (a phone number
/// in a second), and its size tells their length. So, like the canary markers, every digest recorded for a layer with
/// sensitive fields (its import and its accepted contributions) reaches only those allowed the fields, through every
/// resource that describes the layer; a layer without sensitive fields keeps its digests public, and the owner still
/// reads every digest, so the test cannot pass by serving none.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class ProvenanceDigestTests(ServerFixture server)
{
    private const string CityId = "digest-city";

    [Fact]
    public async Task The_digests_and_sizes_of_a_layer_with_sensitive_fields_reach_only_readers_allowed_the_fields()
    {
        var city = await CreateAsync(server, CityId, sensitiveHeads: true);
        // The reviewer's case: a contribution whose body carries a hidden value, accepted into the layer's history.
        var proposal = await server.Moderator.ProposedAsync(city.Slums, "head corrected", Modify(city.S1, 1, Slum("S1", "Ambedkar Nagar", "1", 120, "R. Kamble 9820012345")));
        await server.Admin.AcceptedAsync(proposal.Id());

        var hidden = await server.Database.ScalarAsync<string[]>("SELECT array_agg(source_sha256 ORDER BY version) FROM layer_versions WHERE layer_id = $1", city.Slums);
        var sizes = await server.Database.ScalarAsync<long[]>("SELECT array_agg(source_bytes ORDER BY version) FROM layer_versions WHERE layer_id = $1", city.Slums);
        Assert.Equal(2, hidden.Length); // the import and the accepted contribution
        var open = await server.Database.ScalarAsync<string>("SELECT source_sha256 FROM layer_versions WHERE layer_id = $1", city.Wards);

        string[] urls =
        [
            $"/api/layers/{city.Slums}", $"/api/layers/{city.Slums}/versions", $"/api/cities/{CityId}/layers",
            $"/ogc/collections/{CityId}__slums", $"/ogc/collections/{CityId}__slums?f=html", "/ogc/collections", "/catalog.ttl",
            $"/catalog/{CityId}.ttl", $"/catalog/{CityId}.jsonld", $"/api/3/action/package_show?id={CityId}__slums",
        ];
        var strangers = new List<(string, HttpClient)>
        {
            ("anonymous", server.Client),
            ("a viewer", await server.UserAsync("digest-viewer", Role.Viewer, null)),
            ("another organisation's contributor", server.Contributor),
        };
        var leaks = new List<string>();
        foreach (var (name, client) in strangers)
        {
            foreach (var url in urls)
            {
                var text = await client.GetStringAsync(url);
                // Lists of every city may show the import's digest legitimately: other test cities publish the same file without sensitive fields.
                var digests = url.Contains(CityId, StringComparison.Ordinal) ? hidden : hidden[1..];
                leaks.AddRange(digests.Where(h => text.Contains(h, StringComparison.Ordinal)).Select(h => $"{name}: GET {url} shows digest {h}"));
                if (text.Contains("sourceBytes", StringComparison.Ordinal) && !url.EndsWith("/layers", StringComparison.Ordinal)) leaks.Add($"{name}: GET {url} shows sourceBytes");
            }
            var versions = await client.GetJsonAsync($"/api/layers/{city.Slums}/versions");
            Assert.Equal(2, versions.GetArrayLength()); // the history itself stays public: who, when, which version
            Assert.All(versions.EnumerateArray(), v => Assert.False(v.TryGetProperty("sourceSha256", out _) || v.TryGetProperty("sourceBytes", out _), $"{name}: {v}"));
            // A layer without sensitive fields keeps its digest public.
            Assert.Equal(open, (await client.GetJsonAsync($"/api/layers/{city.Wards}")).GetProperty("provenance").GetProperty("sourceSha256").GetString());
        }
        Assert.True(leaks.Count == 0, string.Join("\n", leaks));

        // The owner's moderator and an admin read every digest and size.
        foreach (var owner in new[] { server.Moderator, server.Admin })
        {
            var versions = (await owner.GetJsonAsync($"/api/layers/{city.Slums}/versions")).EnumerateArray().OrderBy(v => v.GetProperty("version").GetInt32()).ToList();
            Assert.Equal(hidden, versions.Select(v => v.GetProperty("sourceSha256").GetString()));
            Assert.Equal(sizes, versions.Select(v => v.GetProperty("sourceBytes").GetInt64()));
            Assert.Contains((await owner.GetJsonAsync($"/api/layers/{city.Slums}")).GetProperty("provenance").GetProperty("sourceSha256").GetString(), hidden);
            Assert.Contains((await owner.GetJsonAsync($"/ogc/collections/{CityId}__slums")).GetProperty("provenance").GetProperty("sourceSha256").GetString(), hidden);
        }
    }
}
