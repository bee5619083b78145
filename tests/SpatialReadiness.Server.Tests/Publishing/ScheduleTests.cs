using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Publishing;

/// <summary>
/// Update schedules (DMAF 4.c) and the 4.b-4.d picture: set at import and by a layer's moderators, a next due date
/// from the last content version, overdue layers flagged in the schedule, the catalogue, the picture and score item B3.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class ScheduleTests(ServerFixture server)
{
    private const string City = "pub-schedule";

    private async Task<long> LayerAsync(string name, params (string, string)[] fields)
    {
        if (await server.Database.ScalarAsync<long>("SELECT count(*) FROM cities WHERE id = $1", City) == 0) await server.Admin.CreateCityAsync(City, "Schedule");
        var existing = await server.Database.ScalarAsync<long?>("SELECT id FROM layers WHERE city_id = $1 AND name = $2", City, name);
        if (existing is { } id) return id;
        return (await server.Moderator.UploadAsync(City, PublishingCity.Slums(), $"{name}.geojson", "slum", [("name", name), .. fields]).CreatedLayerAsync()).GetProperty("id").GetInt64();
    }

    private static JsonElement LayerIn(JsonElement schedule, string name) =>
        schedule.GetProperty("layers").EnumerateArray().Single(l => l.GetProperty("layer").GetString() == name);

    [Fact]
    public async Task A_layer_imported_monthly_is_due_a_month_after_its_import_and_overdue_once_that_passes()
    {
        var id = await LayerAsync("monthly", ("updateFrequency", "Monthly"));
        var fresh = await server.Client.GetJsonAsync($"/api/layers/{id}/schedule");
        Assert.Equal("monthly", fresh.GetProperty("updateFrequency").GetString());
        Assert.Equal(fresh.GetProperty("lastUpdated").GetDateTimeOffset().AddMonths(1), fresh.GetProperty("nextDue").GetDateTimeOffset());
        Assert.False(fresh.GetProperty("overdue").GetBoolean());

        // Time passes: the import was 40 days ago.
        await server.Database.ScalarAsync<int>("WITH u AS (UPDATE layer_versions SET imported_at = now() - interval '40 days' WHERE layer_id = $1 RETURNING 1) SELECT count(*)::int FROM u", id);
        var schedule = await server.Client.GetJsonAsync($"/api/cities/{City}/schedule");
        var layer = LayerIn(schedule, "monthly");
        Assert.True(layer.GetProperty("overdue").GetBoolean());
        Assert.Matches(@"^monthly: last updated \d{4}-\d\d-\d\d, next due \d{4}-\d\d-\d\d, overdue by (9|1[0-2]) days$", layer.GetProperty("basis").GetString()); // 40 days less a month
        Assert.Equal("monthly", schedule.GetProperty("layers")[0].GetProperty("layer").GetString()); // overdue first
        Assert.True(schedule.GetProperty("overdue").GetInt32() >= 1);

        var package = await server.Client.GetJsonAsync($"/api/3/action/package_show?id={City}__monthly");
        Assert.Contains(package.GetProperty("result").GetProperty("extras").EnumerateArray(), e => e.GetProperty("key").GetString() == "overdue" && e.GetProperty("value").GetString() == "true");
        Assert.Contains("frequency/MONTHLY>", await server.Client.GetStringAsync($"/catalog/{City}.ttl"));
    }

    [Fact]
    public async Task Moderators_set_the_frequency_others_may_not_and_a_wrong_word_is_refused()
    {
        var id = await LayerAsync("patched");
        Assert.Equal(JsonValueKind.Null, (await server.Client.GetJsonAsync($"/api/layers/{id}/schedule")).GetProperty("updateFrequency").ValueKind);

        var set = await server.Moderator.PatchAsJsonAsync($"/api/layers/{id}/schedule", new { updateFrequency = "quarterly" });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal("quarterly", (await set.JsonAsync()).GetProperty("updateFrequency").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Contributor.PatchAsJsonAsync($"/api/layers/{id}/schedule", new { updateFrequency = "daily" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client.PatchAsJsonAsync($"/api/layers/{id}/schedule", new { updateFrequency = "daily" })).StatusCode);
        var bad = await server.Moderator.PatchAsJsonAsync($"/api/layers/{id}/schedule", new { updateFrequency = "fortnightly" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("daily, weekly, monthly, quarterly, biannual, annual, irregular", (await bad.JsonAsync()).GetProperty("detail").GetString());
        Assert.Equal("quarterly", (await server.Client.GetJsonAsync($"/api/layers/{id}/schedule")).GetProperty("updateFrequency").GetString());

        // A new version without the field keeps the schedule; an import naming a wrong word stores nothing.
        await server.Moderator.UploadAsync(City, PublishingCity.Slums(), "patched.geojson", "slum", ("name", "patched")).CreatedLayerAsync();
        Assert.Equal("quarterly", (await server.Client.GetJsonAsync($"/api/layers/{id}/schedule")).GetProperty("updateFrequency").GetString());
        var refused = await server.Moderator.UploadAsync(City, PublishingCity.Slums(), "other.geojson", "slum", ("name", "other"), ("updateFrequency", "hourly"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(0, await server.Database.ScalarAsync<long>("SELECT count(*) FROM layers WHERE city_id = $1 AND name = 'other'", City));

        Assert.Equal(HttpStatusCode.OK, (await server.Moderator.PatchAsJsonAsync($"/api/layers/{id}/schedule", new { updateFrequency = (string?)null })).StatusCode);
        Assert.Equal(JsonValueKind.Null, (await server.Client.GetJsonAsync($"/api/layers/{id}/schedule")).GetProperty("updateFrequency").ValueKind);
    }

    [Fact]
    public async Task The_publishing_picture_counts_public_datasets_schedules_and_APIs_with_their_basis()
    {
        const string city = "pub-picture";
        if (await server.Database.ScalarAsync<long>("SELECT count(*) FROM cities WHERE id = $1", city) == 0)
        {
            await server.Admin.CreateCityAsync(city, "Picture");
            await server.Moderator.UploadAsync(city, PublishingCity.Slums(), "a.geojson", "slum", ("name", "a"), ("updateFrequency", "weekly")).CreatedLayerAsync();
            var late = (await server.Moderator.UploadAsync(city, PublishingCity.Slums(), "b.geojson", "slum", ("name", "b"), ("updateFrequency", "daily")).CreatedLayerAsync()).GetProperty("id").GetInt64();
            await server.Moderator.UploadAsync(city, PublishingCity.Slums(), "c.geojson", "asset", ("name", "c"), ("updateFrequency", "irregular")).CreatedLayerAsync();
            await server.Moderator.UploadAsync(city, PublishingCity.Slums(), "d.geojson", "ward", ("name", "d")).CreatedLayerAsync();
            await server.Moderator.UploadAsync(city, PublishingCity.Slums(), "e.geojson", "slum", ("name", "e"), ("sensitive", "true"), ("updateFrequency", "daily")).CreatedLayerAsync();
            await server.Database.ScalarAsync<int>("WITH u AS (UPDATE layer_versions SET imported_at = now() - interval '3 days' WHERE layer_id = $1 RETURNING 1) SELECT count(*)::int FROM u", late);
        }
        var picture = await server.Admin.GetJsonAsync($"/api/cities/{city}/publishing");

        Assert.Equal(4, picture.GetProperty("datasetsPublished").GetInt32()); // e is sensitive: not published, even to an admin's eyes
        Assert.Equal(2, picture.GetProperty("datasetsByKind").GetProperty("slum").GetInt32());
        Assert.Equal(0.5, picture.GetProperty("shareWithSchedule").GetDouble()); // a and b; c is irregular, d declares none
        Assert.Equal(0.25, picture.GetProperty("shareOnSchedule").GetDouble()); // b is overdue
        var items = picture.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["4.b", "4.c", "4.c", "4.d"], items.Select(i => i.GetProperty("code").GetString()));
        Assert.Contains("overdue: b (due", items[2].GetProperty("basis").GetString());
        Assert.Contains("irregular (no due date): c", items[1].GetProperty("basis").GetString());
        var apis = picture.GetProperty("apis").EnumerateArray().ToList();
        Assert.Equal(12, apis.Count);
        foreach (var api in apis)
        {
            var response = await new HttpClient().GetAsync(api.GetProperty("url").GetString());
            Assert.True(response.IsSuccessStatusCode, $"{api.GetProperty("kind")} {api.GetProperty("url")}: {(int)response.StatusCode}");
        }
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/api/cities/no-such-city/publishing")).StatusCode);
    }

    [Fact]
    public async Task Score_item_B3_judges_a_scheduled_core_layer_by_its_due_date_instead_of_24_months()
    {
        const string city = "pub-b3";
        if (await server.Database.ScalarAsync<long>("SELECT count(*) FROM cities WHERE id = $1", city) == 0)
        {
            await server.Admin.CreateCityAsync(city, "B3");
            // Surveyed last month, so current by the flat 24 months; but weekly and imported 10 days ago: overdue.
            var survey = DateTime.UtcNow.AddMonths(-1).ToString("yyyy-MM-dd");
            var slums = (await server.Moderator.UploadAsync(city, PublishingCity.Slums(), "s.geojson", "slum", ("name", "slums"), ("surveyDate", survey), ("updateFrequency", "weekly")).CreatedLayerAsync()).GetProperty("id").GetInt64();
            await server.Database.ScalarAsync<int>("WITH u AS (UPDATE layer_versions SET imported_at = now() - interval '10 days' WHERE layer_id = $1 RETURNING 1) SELECT count(*)::int FROM u", slums);
            // Surveyed 2019 (older than 24 months) but annual and imported today: on schedule.
            await server.Moderator.UploadAsync(city, PublishingCity.Slums(), "w.geojson", "ward", ("name", "wards"), ("surveyDate", "2019-01-01"), ("updateFrequency", "annual")).CreatedLayerAsync();
            // No schedule: the 24 months decide.
            await server.Moderator.UploadAsync(city, PublishingCity.Slums(), "b.geojson", "boundary", ("name", "boundary"), ("surveyDate", "2019-01-01")).CreatedLayerAsync();
        }
        await server.Admin.RunCheckAsync(city);
        var b3 = (await server.Client.ReadinessAsync(city)).Item("B3");

        Assert.Equal(1.0 / 3, b3.GetProperty("marks").GetDouble(), 4); // only the wards are current
        var basis = b3.GetProperty("basis").GetString()!;
        Assert.Contains("slums weekly: last updated", basis);
        Assert.Contains("overdue by 3 days", basis);
        Assert.Contains("wards annual", basis);
        Assert.Contains("boundary has no due date, so within 24 months (survey date, else import date): no", basis);

        // The report shows the 4.b-4.d picture apart from the score, with the overdue layer flagged.
        var report = await server.Client.GetStringAsync($"/api/cities/{city}/readiness/report");
        var section = report[report.IndexOf("<section id=\"publishing\">", StringComparison.Ordinal)..];
        section = section[..(section.IndexOf("</section>", StringComparison.Ordinal))];
        Assert.Contains("Not part of SRS-20", section);
        Assert.Matches("<tr class=\"overdue\"[^>]*><td>slums</td><td>weekly</td>.*?<strong>OVERDUE</strong>", section);
        Assert.DoesNotContain("<td>wards</td><td>annual</td><td>[^<]*</td><td>[^<]*</td><td><strong>OVERDUE", section);
    }

    [Fact]
    public async Task The_command_line_import_takes_an_update_frequency_and_refuses_a_wrong_one()
    {
        var db = server.Database.ConnectionString;
        await SrdProcess.RunAsync(db, "city", "add", "pub-cli", "--name", "CLI");
        var file = SharedData.TempFile("cli-slums.geojson", PublishingCity.Slums());
        var bad = await SrdProcess.RunAsync(db, "import", file, "--city", "pub-cli", "--kind", "slum", "--licence", "ODbL", "--update-frequency", "fortnightly");
        Assert.Equal(2, bad.ExitCode);
        Assert.StartsWith("srd: --update-frequency 'fortnightly' is not an update frequency", bad.Errors.Trim());

        var (exit, _, errors) = await SrdProcess.RunAsync(db, "import", file, "--city", "pub-cli", "--kind", "slum", "--licence", "ODbL", "--update-frequency", "weekly");
        Assert.True(exit == 0, errors);
        var schedule = await server.Client.GetJsonAsync("/api/cities/pub-cli/schedule");
        Assert.Equal("weekly", LayerIn(schedule, "cli-slums").GetProperty("updateFrequency").GetString());
    }
}
