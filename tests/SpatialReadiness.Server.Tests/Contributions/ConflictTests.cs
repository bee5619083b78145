using System.Net;
using System.Text.Json;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.Server.Tests.Infrastructure;
using static SpatialReadiness.Server.Tests.Infrastructure.ContributionCity;

namespace SpatialReadiness.Server.Tests.Contributions;

/// <summary>
/// Optimistic locking by feature version, as OSM does it: a change whose base version is no longer current gets 409
/// with both versions (and the proposal), nothing is applied, and nothing is lost: the contribution stays, conflicted.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class ConflictTests(ServerFixture server)
{
    [Fact]
    public async Task Two_contributors_editing_one_feature_get_exactly_one_409_carrying_both_versions()
    {
        var city = await CreateAsync(server, "cf-two");
        var second = await server.UserAsync("cf-two-contributor", Role.Contributor, ServerFixture.NgoOrg);
        var first = await server.Contributor.ProposedAsync(city.Slums, "count", Modify(city.S1, 1, "{\"households\":130}"));
        var other = await second.ProposedAsync(city.Slums, "rename", Modify(city.S1, 1, "{\"slum_name\":\"Bhim Nagar\"}"));

        var results = new List<HttpResponseMessage>();
        foreach (var id in new[] { first.Id(), other.Id() }) results.Add(await server.Moderator.ReviewAsync(id, "accept"));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], results.Select(r => r.StatusCode));
        var problem = await results[1].JsonAsync();
        Assert.Equal("application/problem+json", results[1].Content.Headers.ContentType!.MediaType);
        Assert.Equal("VersionConflict", problem.GetProperty("code").GetString());
        var conflict = problem.GetProperty("conflicts").EnumerateArray().Single();
        Assert.Equal(city.S1, conflict.GetProperty("featureId").GetInt64());
        Assert.Equal((1, 2), (conflict.GetProperty("baseVersion").GetInt32(), conflict.GetProperty("currentVersion").GetInt32()));
        Assert.Equal(120, conflict.GetProperty("base").GetProperty("properties").GetProperty("households").GetInt32());
        Assert.Equal(130, conflict.GetProperty("current").GetProperty("properties").GetProperty("households").GetInt32());
        Assert.Equal("Bhim Nagar", conflict.GetProperty("proposed").GetProperty("properties").GetProperty("slum_name").GetString());
        Assert.Equal(JsonValueKind.Object, conflict.GetProperty("current").GetProperty("geometry").ValueKind);

        // Nothing lost, nothing applied: the second contribution is kept, conflicted, with its proposal; the feature is the first's.
        var kept = await second.GetJsonAsync($"/api/contributions/{other.Id()}");
        Assert.Equal("conflicted", kept.GetProperty("state").GetString());
        Assert.Equal("Bhim Nagar", kept.GetProperty("changes")[0].GetProperty("after").GetProperty("properties").GetProperty("slum_name").GetString());
        var item = await server.Client.GetJsonAsync($"{city.Items}/{city.S1}");
        Assert.Equal("Ambedkar Nagar", item.GetProperty("properties").GetProperty("slum_name").GetString());
        Assert.Equal(2, item.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Two_moderators_accepting_edits_of_one_feature_at_the_same_moment_get_one_200_and_one_409()
    {
        var city = await CreateAsync(server, "cf-race");
        var a = await server.Contributor.ProposedAsync(city.Slums, "a", Modify(city.S2, 1, "{\"households\":81}"));
        var b = await server.Contributor.ProposedAsync(city.Slums, "b", Modify(city.S2, 1, "{\"households\":82}"));

        var responses = await Task.WhenAll(server.Moderator.ReviewAsync(a.Id(), "accept"), server.Admin.ReviewAsync(b.Id(), "accept"));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], responses.Select(r => r.StatusCode).Order());
        Assert.Equal(2, await server.Database.ScalarAsync<int>("SELECT version FROM features WHERE id = $1", city.S2));
        Assert.Equal(2L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM feature_versions WHERE feature_id = $1", city.S2)); // v1 as imported, v2
    }

    [Fact]
    public async Task A_proposal_made_on_an_old_version_gets_409_on_arrival_and_is_kept()
    {
        var city = await CreateAsync(server, "cf-stale");
        await server.Moderator.AcceptedAsync((await server.Contributor.ProposedAsync(city.Slums, "v2", Modify(city.S1, 1, "{\"households\":125}"))).Id());

        var stale = await server.Contributor.ProposeAsync(city.Slums, "made offline on v1", Modify(city.S1, 1, "{\"households\":99}"));

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var problem = await stale.JsonAsync();
        var conflict = problem.GetProperty("conflicts")[0];
        Assert.Equal((1, 2), (conflict.GetProperty("baseVersion").GetInt32(), conflict.GetProperty("currentVersion").GetInt32()));
        Assert.Equal(120, conflict.GetProperty("base").GetProperty("properties").GetProperty("households").GetInt32());
        Assert.Equal(125, conflict.GetProperty("current").GetProperty("properties").GetProperty("households").GetInt32());
        Assert.Equal(99, conflict.GetProperty("proposed").GetProperty("properties").GetProperty("households").GetInt32());
        var kept = await server.Contributor.GetJsonAsync(problem.GetProperty("contributionUrl").GetString()!);
        Assert.Equal("conflicted", kept.GetProperty("state").GetString());
    }
}
