using System.Globalization;
using System.Net;
using System.Text.Json;
using SpatialReadiness.Server.Tests.Infrastructure;
using static SpatialReadiness.Server.Tests.Infrastructure.ContributionCity;

namespace SpatialReadiness.Server.Tests.Contributions;

/// <summary>
/// A contributor's proposal from arrival to the map, over HTTP on a real PostGIS: pending and checked with the 4.e rules
/// on arrival, invisible until a moderator accepts it, then in tiles, OData and OGC API at once; history, revert and
/// rejection with a note, each seen by the contributor.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class ContributionFlowTests(ServerFixture server)
{
    // A new slum drawn with its east edge snapped to the ward boundary: inside ward 1, touching ward 2.
    private static readonly string EdgeSlum = Polygon((73.84011, 18.55013), (WardEdge, 18.55013), (WardEdge, 18.56017), (73.84011, 18.56017));

    [Fact]
    public async Task A_proposal_goes_pending_and_once_accepted_is_in_tiles_OData_and_OGC_at_once()
    {
        var city = await CreateAsync(server, "co-flow");
        var proposed = await server.Contributor.ProposedAsync(city.Slums, "surveyed in May", Create(Slum("S9", "Edge Nagar", "1", 40, "A. Shaikh"), EdgeSlum));

        Assert.Equal("pending", proposed.GetProperty("state").GetString());
        Assert.Equal("test-contributor", proposed.GetProperty("author").GetString());
        Assert.Equal(ServerFixture.NgoOrg, proposed.GetProperty("organisation").GetString());
        Assert.Equal("CC BY-SA 2.5 IN", proposed.GetProperty("licence").GetString()); // the layer's, as none was stated
        Assert.DoesNotContain(proposed.Rules(), r => r is "OUTSIDE_CITY" or "GEOM_INVALID" or "WARD_MISMATCH" or "LOW_PRECISION" or "ATTR_MISSING");
        var change = proposed.GetProperty("changes")[0];
        Assert.Equal("create", change.GetProperty("action").GetString());
        Assert.Equal(JsonValueKind.Null, change.GetProperty("before").ValueKind);
        Assert.Contains(change.GetProperty("diff").GetProperty("attributes").EnumerateArray(), d => d.GetProperty("field").GetString() == "slum_name");

        // Pending: nowhere to be read yet.
        var (z, x, y) = VectorTiles.TileOf(73.845, 18.555, 15);
        Assert.DoesNotContain(await TileSlumIdsAsync(city, z, x, y), id => id == "S9");
        Assert.Equal(0, await ODataCountAsync(city, "S9"));

        // The contributor may not approve it; the city's moderator sees it in the queue and accepts it.
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Contributor.ReviewAsync(proposed.Id(), "accept")).StatusCode);
        var queue = await server.Moderator.GetJsonAsync($"/api/contributions?state=pending&layer={city.Slums}");
        Assert.Contains(queue.GetProperty("contributions").EnumerateArray(), c => c.Id() == proposed.Id());
        var accepted = await server.Moderator.AcceptedAsync(proposed.Id());
        Assert.Equal("accepted", accepted.GetProperty("state").GetString());
        Assert.Equal("test-moderator", accepted.GetProperty("reviewer").GetString());
        var featureId = accepted.GetProperty("changes")[0].GetProperty("featureId").GetInt64();
        Assert.Equal(1, accepted.GetProperty("changes")[0].GetProperty("version").GetInt32());

        // At once: the tile (decoded with NetTopologySuite's MVT reader), OData and OGC API.
        Assert.Contains(await TileSlumIdsAsync(city, z, x, y), id => id == "S9");
        Assert.Equal(1, await ODataCountAsync(city, "S9"));
        var item = await server.Client.GetJsonAsync($"{city.Items}/{featureId}");
        Assert.Equal("Edge Nagar", item.GetProperty("properties").GetProperty("slum_name").GetString());
        Assert.Equal(1, item.GetProperty("version").GetInt32());
        var layer = await server.Client.GetJsonAsync($"/api/layers/{city.Slums}");
        Assert.Equal(3, layer.GetProperty("featureCount").GetInt64());
        Assert.Equal(2, layer.GetProperty("version").GetInt32());
        Assert.Equal("test-contributor", layer.GetProperty("provenance").GetProperty("importedBy").GetString());

        // The contributor sees the outcome among their own contributions.
        var mine = await server.Contributor.GetJsonAsync($"/api/contributions?mine=true&layer={city.Slums}");
        var outcome = mine.GetProperty("contributions").EnumerateArray().Single(c => c.Id() == proposed.Id());
        Assert.Equal("accepted", outcome.GetProperty("state").GetString());
        Assert.Equal("looks right", outcome.GetProperty("reviewNote").GetString());
    }

    [Theory]
    [InlineData("outside the city", "OUTSIDE_CITY", 73.95011, 18.55013, 73.96017, 18.56019)]
    [InlineData("across both wards", "WARD_MISMATCH", 73.84511, 18.57013, 73.85517, 18.58019)]
    public async Task A_proposal_is_checked_on_arrival_with_the_4e_rules(string where, string rule, double west, double south, double east, double north)
    {
        var city = await CreateAsync(server, "co-check-" + rule.ToLowerInvariant().Replace('_', '-'));
        var proposed = await server.Contributor.ProposedAsync(city.Slums, where, Create(Slum("S7", "Somewhere", "1", 10, "X"), Square(west, south, east, north)));
        var finding = proposed.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("rule").GetString() == rule);
        Assert.Equal("error", finding.GetProperty("severity").GetString());
        Assert.Equal(1, finding.GetProperty("change").GetInt32());
        Assert.Equal(JsonValueKind.Object, finding.GetProperty("location").ValueKind);
        // The moderator sees the same findings.
        var seen = await server.Moderator.GetJsonAsync($"/api/contributions/{proposed.Id()}");
        Assert.Contains(rule, seen.Rules());
    }

    [Fact]
    public async Task A_proposal_finding_names_a_stored_feature_by_its_id_and_a_proposed_one_by_its_change()
    {
        var city = await CreateAsync(server, "co-naming");
        var elsewhere = Square(73.88011, 18.58013, 73.88517, 18.58519);
        var proposed = await server.Contributor.ProposedAsync(city.Slums, "copies",
            Create(Slum("S2b", "Sai Nagar", "2", 80, "S. Pawar"), Square(73.86011, 18.52013, 73.86517, 18.52519)), // S2 again
            Create(Slum("S5", "Twin Nagar", "2", 10, "A"), elsewhere),
            Create(Slum("S6", "Twin Nagar", "2", 10, "A"), elsewhere));
        var duplicates = proposed.GetProperty("findings").EnumerateArray().Where(f => f.GetProperty("rule").GetString() == "DUPLICATE")
            .ToDictionary(f => f.GetProperty("change").GetInt32(), f => f.GetProperty("detail").GetString()!);
        Assert.Equal([1, 3], duplicates.Keys.Order());
        Assert.StartsWith($"repeats feature {city.S2}: same geometry", duplicates[1]); // the proposal repeats what is stored
        Assert.StartsWith("repeats proposed change 2: same geometry", duplicates[3]);
        // No finding speaks of the staged ids the check gives proposed features.
        Assert.DoesNotContain(proposed.GetProperty("findings").EnumerateArray(), f => System.Text.RegularExpressions.Regex.IsMatch(f.GetProperty("detail").GetString() ?? "", @"(feature |#)-\d"));
    }

    [Fact]
    public async Task A_self_intersecting_polygon_gets_GEOM_INVALID_and_the_check_leaves_nothing_behind()
    {
        var city = await CreateAsync(server, "co-bowtie");
        var runsBefore = await server.Database.ScalarAsync<long>("SELECT count(*) FROM check_runs");
        var bowtie = Polygon((73.82011, 18.57013), (73.83017, 18.58019), (73.83017, 18.57013), (73.82011, 18.58019));
        var proposed = await server.Contributor.ProposedAsync(city.Slums, "bow tie", Create(Slum("S8", "Twisted", "1", 5, "Y"), bowtie));
        var invalid = proposed.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("rule").GetString() == "GEOM_INVALID");
        Assert.Contains("Self-intersection", invalid.GetProperty("detail").GetString());
        // The check ran inside the submission: no check run, no finding, no staging table outlives it.
        Assert.Equal(runsBefore, await server.Database.ScalarAsync<long>("SELECT count(*) FROM check_runs"));
        Assert.Equal(2L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM features WHERE layer_id = $1", city.Slums));
    }

    [Fact]
    public async Task Every_version_is_kept_and_an_accepted_change_can_be_reverted_as_a_new_moderated_one()
    {
        var city = await CreateAsync(server, "co-history");
        var edit = await server.Contributor.ProposedAsync(city.Slums, "more households, redrawn",
            Modify(city.S1, 1, "{\"households\":135,\"status\":null}", Square(73.82011, 18.52013, 73.82617, 18.52619)));
        var change = edit.GetProperty("changes")[0];
        Assert.Equal(120, change.GetProperty("before").GetProperty("properties").GetProperty("households").GetInt32());
        Assert.True(change.GetProperty("diff").GetProperty("geometry").GetBoolean());
        var diff = change.GetProperty("diff").GetProperty("attributes").EnumerateArray().ToDictionary(d => d.GetProperty("field").GetString()!);
        Assert.Equal(135, diff["households"].GetProperty("after").GetInt32());
        Assert.Equal(JsonValueKind.Null, diff["status"].GetProperty("after").ValueKind); // removed by the merge patch
        await server.Moderator.AcceptedAsync(edit.Id());

        var history = (await server.Client.GetJsonAsync($"/api/layers/{city.Slums}/features/{city.S1}/history")).GetProperty("versions");
        Assert.Equal(2, history.GetArrayLength());
        Assert.Equal(2, history[0].GetProperty("version").GetInt32());
        Assert.Equal("test-contributor", history[0].GetProperty("by").GetString());
        Assert.Equal(edit.Id(), history[0].GetProperty("contribution").GetInt64());
        Assert.Equal(1, history[1].GetProperty("version").GetInt32());
        Assert.Equal("test-admin", history[1].GetProperty("by").GetString()); // as imported
        Assert.Equal(JsonValueKind.Null, history[1].GetProperty("contribution").ValueKind);

        // Revert: a new pending contribution based on version 2 that restores version 1; moderated like any other.
        var revert = await server.Moderator.PostAsync($"/api/contributions/{edit.Id()}/revert", null);
        Assert.Equal(HttpStatusCode.Created, revert.StatusCode);
        var pending = await revert.JsonAsync();
        Assert.Equal("pending", pending.GetProperty("state").GetString());
        Assert.Equal(edit.Id(), pending.GetProperty("reverts").GetInt64());
        Assert.Equal(2, pending.GetProperty("changes")[0].GetProperty("baseVersion").GetInt32());
        Assert.Equal(135.0, await AttributeAsync(city, city.S1, "households"), 0); // nothing changes until accepted
        await server.Moderator.AcceptedAsync(pending.Id());

        var restored = await server.Client.GetJsonAsync($"{city.Items}/{city.S1}");
        Assert.Equal(3, restored.GetProperty("version").GetInt32());
        Assert.Equal(120, restored.GetProperty("properties").GetProperty("households").GetInt32());
        Assert.Equal("identified", restored.GetProperty("properties").GetProperty("status").GetString());
        Assert.Equal(3, (await server.Client.GetJsonAsync($"/api/layers/{city.Slums}/features/{city.S1}/history")).GetProperty("versions").GetArrayLength());
        // Only an accepted contribution changed anything to revert.
        var unaccepted = await server.Contributor.ProposedAsync(city.Slums, "x", Delete(city.S2, 1));
        Assert.Equal(HttpStatusCode.Conflict, (await server.Moderator.PostAsync($"/api/contributions/{unaccepted.Id()}/revert", null)).StatusCode);
    }

    [Fact]
    public async Task A_deletion_is_a_version_and_reverting_it_restores_the_feature_under_its_own_id()
    {
        var city = await CreateAsync(server, "co-delete");
        var deletion = await server.Contributor.ProposedAsync(city.Slums, "cleared for a road", Delete(city.S2, 1));
        await server.Moderator.AcceptedAsync(deletion.Id());
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync($"{city.Items}/{city.S2}")).StatusCode);
        var history = (await server.Client.GetJsonAsync($"/api/layers/{city.Slums}/features/{city.S2}/history")).GetProperty("versions");
        Assert.True(history[0].GetProperty("deleted").GetBoolean());
        Assert.Equal(2, history[0].GetProperty("version").GetInt32());

        var revert = await (await server.Moderator.PostAsync($"/api/contributions/{deletion.Id()}/revert", null)).JsonAsync();
        await server.Moderator.AcceptedAsync(revert.Id());
        var back = await server.Client.GetJsonAsync($"{city.Items}/{city.S2}");
        Assert.Equal(3, back.GetProperty("version").GetInt32());
        Assert.Equal("Sai Nagar", back.GetProperty("properties").GetProperty("slum_name").GetString());
        Assert.Equal(2, (await server.Client.GetJsonAsync($"/api/layers/{city.Slums}")).GetProperty("featureCount").GetInt64());
    }

    [Fact]
    public async Task A_rejection_needs_a_note_changes_nothing_and_the_contributor_sees_why()
    {
        var city = await CreateAsync(server, "co-reject");
        var proposed = await server.Contributor.ProposedAsync(city.Slums, "renamed", Modify(city.S1, 1, "{\"slum_name\":\"Wrong Nagar\"}"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await server.Moderator.ReviewAsync(proposed.Id(), "reject")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Moderator.ReviewAsync(proposed.Id(), "reject", "the survey register says Ambedkar Nagar")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await server.Moderator.ReviewAsync(proposed.Id(), "accept")).StatusCode); // decided already

        var seen = await server.Contributor.GetJsonAsync($"/api/contributions/{proposed.Id()}");
        Assert.Equal("rejected", seen.GetProperty("state").GetString());
        Assert.Equal("the survey register says Ambedkar Nagar", seen.GetProperty("reviewNote").GetString());
        Assert.Equal("Ambedkar Nagar", (await server.Client.GetJsonAsync($"{city.Items}/{city.S1}")).GetProperty("properties").GetProperty("slum_name").GetString());
        Assert.Equal(1, (await server.Client.GetJsonAsync($"/api/layers/{city.Slums}")).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task A_file_proposes_changes_to_the_features_its_ids_name_and_additions_for_the_rest()
    {
        var city = await CreateAsync(server, "co-upload");
        var file = "{\"type\":\"FeatureCollection\",\"features\":["
                   + Feature(Slum("S1", "Ambedkar Nagar", "1", 150, "R. Kamble"), Square(73.82011, 18.52013, 73.82517, 18.52519)) + ","
                   + Feature(Slum("S10", "New Colony", "2", 30, "P. More"), Square(73.87011, 18.53013, 73.87517, 18.53519)) + "]}";
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(file)), "file", "survey-may.geojson" },
            { new StringContent("May survey"), "comment" },
            { new StringContent("ODbL 1.0"), "licence" },
        };
        var response = await server.Contributor.PostAsync($"/api/layers/{city.Slums}/contributions", form);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var proposed = await response.JsonAsync();
        Assert.Equal("upload", proposed.GetProperty("channel").GetString());
        Assert.Equal("survey-may.geojson", proposed.GetProperty("source").GetString());
        Assert.Equal("ODbL 1.0", proposed.GetProperty("licence").GetString());
        var changes = proposed.GetProperty("changes").EnumerateArray().ToList();
        Assert.Equal(("modify", city.S1), (changes[0].GetProperty("action").GetString(), changes[0].GetProperty("featureId").GetInt64()));
        Assert.Equal("create", changes[1].GetProperty("action").GetString());
        await server.Moderator.AcceptedAsync(proposed.Id());
        Assert.Equal(150, (await server.Client.GetJsonAsync($"{city.Items}/{city.S1}")).GetProperty("properties").GetProperty("households").GetInt32());
        Assert.Equal(3, (await server.Client.GetJsonAsync($"/api/layers/{city.Slums}")).GetProperty("featureCount").GetInt64());
    }

    [Fact]
    public async Task Bad_proposals_are_refused_with_a_problem_and_store_nothing()
    {
        var city = await CreateAsync(server, "co-bad");
        var before = await server.Database.ScalarAsync<long>("SELECT count(*) FROM contributions");
        (object Body, HttpStatusCode Status, string Detail)[] cases =
        [
            (new { changes = Array.Empty<object>() }, HttpStatusCode.UnprocessableEntity, "at least one change"),
            (new { changes = new object[] { new { action = "move" } } }, HttpStatusCode.UnprocessableEntity, "action 'move'"),
            (new { changes = new object[] { new { action = "modify", featureId = city.S1 } } }, HttpStatusCode.UnprocessableEntity, "baseVersion"),
            (new { changes = new[] { Modify(city.S1, 7, "{}") } }, HttpStatusCode.UnprocessableEntity, "has no version 7"),
            (new { changes = new[] { Delete(99_999_999, 1) } }, HttpStatusCode.NotFound, "does not exist"),
            (new { changes = new[] { Create("{}", Square(2.35011, 48.85013, 2.36017, 48.86019)) } }, HttpStatusCode.UnprocessableEntity, "outside India"),
            (new { changes = new[] { Delete(city.S1, 1), Modify(city.S1, 1, "{}") } }, HttpStatusCode.UnprocessableEntity, "changed 2 times"),
        ];
        foreach (var (body, status, detail) in cases)
        {
            var response = await server.Contributor.PostAsync($"/api/layers/{city.Slums}/contributions", System.Net.Http.Json.JsonContent.Create(body));
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
            Assert.Contains(detail, (await response.JsonAsync()).GetProperty("detail").GetString());
        }
        Assert.Equal(before, await server.Database.ScalarAsync<long>("SELECT count(*) FROM contributions"));

        // A layer that does not take contributions says how to open it.
        var wards = await server.Contributor.ProposeAsync(city.Wards, "x", Modify(1, 1, "{}"));
        Assert.Equal(HttpStatusCode.Conflict, wards.StatusCode);
        Assert.Contains("\"editable\": true", (await wards.JsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_contributor_editing_over_OGC_API_gets_202_with_the_contribution_and_the_moderator_accepts_it()
    {
        var city = await CreateAsync(server, "co-ogc");
        var request = new HttpRequestMessage(HttpMethod.Patch, $"{city.Items}/{city.S1}")
        {
            Content = new StringContent("{\"properties\":{\"households\":121}}", System.Text.Encoding.UTF8, "application/merge-patch+json"),
        };
        var response = await server.Contributor.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Matches(@"/api/contributions/\d+$", response.Headers.Location!.ToString());
        var pending = await response.JsonAsync();
        Assert.Equal("ogc", pending.GetProperty("channel").GetString());
        Assert.Equal(120, (await server.Client.GetJsonAsync($"{city.Items}/{city.S1}")).GetProperty("properties").GetProperty("households").GetInt32());
        await server.Moderator.AcceptedAsync(pending.Id());
        Assert.Equal(121, (await server.Client.GetJsonAsync($"{city.Items}/{city.S1}")).GetProperty("properties").GetProperty("households").GetInt32());
    }

    private async Task<List<string>> TileSlumIdsAsync(ContributionCity city, int z, int x, int y)
    {
        var response = await server.Client.GetAsync($"/tiles/{city.Slums}/{z}/{x}/{y}.mvt");
        if (response.StatusCode == HttpStatusCode.NoContent) return [];
        var tile = VectorTiles.Decode(await response.Content.ReadAsByteArrayAsync(), z, x, y);
        return tile.Layers.Where(l => !l.Name.EndsWith("_labels", StringComparison.Ordinal)).SelectMany(l => l.Features).Select(f => Convert.ToString(f.Attributes["slum_id"], CultureInfo.InvariantCulture)!).ToList();
    }

    private async Task<int> ODataCountAsync(ContributionCity city, string slumId) =>
        (await server.Client.GetJsonAsync($"/odata/Slums?$filter=City eq '{city.City}' and slum_id eq '{slumId}'")).GetProperty("value").GetArrayLength();

    private async Task<double> AttributeAsync(ContributionCity city, long feature, string field) =>
        (await server.Client.GetJsonAsync($"{city.Items}/{feature}")).GetProperty("properties").GetProperty(field).GetDouble();
}
