using System.Net;
using System.Net.Http.Json;
using Npgsql;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Faults;

/// <summary>
/// The database goes away in the middle of an import, a check run and a contribution's acceptance, both ways: the
/// backend doing the work terminated (pg_terminate_backend), and the whole postmaster killed. Afterwards nothing of the
/// work is visible, the job or run says interrupted with the reason, and the same work succeeds when asked again.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class InterruptedWorkTests(FaultCluster cluster)
{
    public static TheoryData<bool> Kills => new() { false, true };

    [Theory, MemberData(nameof(Kills))]
    public async Task ImportCutOff_JobInterruptedWithReason_NoLayer(bool killPostmaster)
    {
        var city = "importcut" + (killPostmaster ? "k" : "t");
        await cluster.Admin.CreateCityAsync(city, "Import cut");
        using var form = new MultipartFormDataContent
        {
            { new StringContent("asset"), "kind" }, { new StringContent("CC BY 4.0"), "licence" }, { new StringContent("points"), "name" },
            { new ByteArrayContent(FaultCity.ManyPoints(400_000)), "file", "points.geojsonl" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/cities/{city}/layers") { Content = form };
        request.Headers.Add("Prefer", "respond-async");
        var accepted = await cluster.Admin.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var job = accepted.Headers.Location!.ToString();

        // Cut it off once it is writing rows (the COPY).
        var backend = 0;
        await DatabaseDownTests.WaitForAsync(async () =>
        {
            var state = await cluster.Admin.GetJsonAsync(job);
            Assert.Equal("running", state.GetProperty("status").GetString());
            if (state.GetProperty("featuresRead").GetInt64() < 20_000) return false;
            backend = await cluster.ScalarAsync<int>("SELECT backend_pid FROM import_jobs WHERE id = $1", Guid.Parse(job.Split('/').Last()));
            return true;
        }, "the import to be under way", 120);
        if (killPostmaster)
        {
            cluster.KillPostmaster();
            await cluster.RestartAsync();
            await cluster.WaitUntilReadyAsync();
        }
        else await cluster.TerminateAsync(backend);

        JsonElementAssert(await WaitForStatusAsync(job, "interrupted"), "database connection");
        Assert.DoesNotContain((await cluster.Client.GetJsonAsync($"/api/cities/{city}/layers")).EnumerateArray(), l => l.GetProperty("name").GetString() == "points");
        Assert.Equal(0L, await cluster.ScalarAsync<long>("SELECT count(*) FROM layers WHERE city_id = $1", city));
        await DatabaseDownTests.WaitForAsync(() => Task.FromResult(cluster.TempFiles().Length == 0), "the upload's temp file to be removed", 10);
    }

    [Theory, MemberData(nameof(Kills))]
    public async Task CheckRunCutOff_RunInterruptedWithReason_NoFindings(bool killPostmaster)
    {
        var city = "checkcut" + (killPostmaster ? "k" : "t");
        await FaultCity.CreateAsync(cluster, city);
        // The run blocks on the lock held here, so it is certainly in the middle when it is cut off.
        var holder = await cluster.ConnectAsync();
        var transaction = await holder.BeginTransactionAsync();
        await new NpgsqlCommand("LOCK TABLE features IN ACCESS EXCLUSIVE MODE", holder, transaction).ExecuteNonQueryAsync();
        var started = await cluster.Admin.PostAsync($"/api/cities/{city}/checks", null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var run = started.Headers.Location!.ToString();
        var runId = Guid.Parse(run.Split('/').Last());
        var backend = 0;
        await DatabaseDownTests.WaitForAsync(async () =>
        {
            backend = await cluster.ScalarAsync<int?>("""
                SELECT r.backend_pid FROM check_runs r JOIN pg_stat_activity a ON a.pid = r.backend_pid
                WHERE r.id = $1 AND a.wait_event_type = 'Lock'
                """, runId) ?? 0;
            return backend != 0;
        }, "the check run to wait on the lock");
        if (killPostmaster)
        {
            cluster.KillPostmaster();
            await holder.DisposeAsync();
            await cluster.RestartAsync();
            await cluster.WaitUntilReadyAsync();
        }
        else
        {
            await cluster.TerminateAsync(backend);
            await transaction.RollbackAsync();
            await holder.DisposeAsync();
        }

        JsonElementAssert(await WaitForStatusAsync(run, "interrupted"), "database connection");
        Assert.Equal(0L, await cluster.ScalarAsync<long>("SELECT count(*) FROM findings WHERE run_id = $1", runId));
        // Asked again, the check runs to the end.
        var again = await cluster.Admin.PostAsync($"/api/cities/{city}/checks", null);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        await WaitForStatusAsync(again.Headers.Location!.ToString(), "succeeded");
    }

    [Theory, MemberData(nameof(Kills))]
    public async Task AcceptanceCutOff_503_ContributionStillPending_FeatureUnchanged(bool killPostmaster)
    {
        var city = await FaultCity.CreateAsync(cluster, "acceptcut" + (killPostmaster ? "k" : "t"));
        var item = $"/ogc/collections/{city.City}__slums/items/{city.S1}";
        var before = await cluster.Client.GetJsonAsync(item);
        var version = before.GetProperty("version").GetInt32();
        var proposed = await cluster.Admin.PostAsJsonAsync($"/api/layers/{city.Slums}/contributions",
            new { comment = "more households", changes = new[] { ContributionCity.Modify(city.S1, version, "{\"households\":999}") } });
        Assert.Equal(HttpStatusCode.Created, proposed.StatusCode);
        var contribution = (await proposed.JsonAsync()).GetProperty("id").GetInt64();
        var layerVersion = await cluster.ScalarAsync<int>("SELECT version FROM layers WHERE id = $1", city.Slums);

        var holder = await cluster.ConnectAsync();
        var transaction = await holder.BeginTransactionAsync();
        await new NpgsqlCommand("LOCK TABLE features IN ACCESS EXCLUSIVE MODE", holder, transaction).ExecuteNonQueryAsync();
        var accepting = cluster.Admin.PostAsJsonAsync($"/api/contributions/{contribution}/accept", new { note = "ok" });
        var backend = 0;
        await DatabaseDownTests.WaitForAsync(async () =>
        {
            backend = await cluster.ScalarAsync<int?>(
                "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid() AND datname = current_database() LIMIT 1") ?? 0;
            return backend != 0;
        }, "the acceptance to wait on the lock");
        if (killPostmaster) cluster.KillPostmaster();
        else await cluster.TerminateAsync(backend);
        await DatabaseDownTests.AssertUnavailable(await accepting, "accept");
        await holder.DisposeAsync();
        if (killPostmaster)
        {
            await cluster.RestartAsync();
            await cluster.WaitUntilReadyAsync();
        }

        var after = await cluster.Admin.GetJsonAsync($"/api/contributions/{contribution}");
        Assert.Equal("pending", after.GetProperty("state").GetString());
        var feature = await cluster.Client.GetJsonAsync(item);
        Assert.Equal(version, feature.GetProperty("version").GetInt32());
        Assert.Equal(120, feature.GetProperty("properties").GetProperty("households").GetInt32());
        Assert.Equal(layerVersion, await cluster.ScalarAsync<int>("SELECT version FROM layers WHERE id = $1", city.Slums));
        // Accepted again, it applies.
        Assert.Equal(HttpStatusCode.OK, (await cluster.Admin.PostAsJsonAsync($"/api/contributions/{contribution}/accept", new { note = "ok" })).StatusCode);
        Assert.Equal(999, (await cluster.Client.GetJsonAsync(item)).GetProperty("properties").GetProperty("households").GetInt32());
    }

    private async Task<System.Text.Json.JsonElement> WaitForStatusAsync(string url, string status)
    {
        System.Text.Json.JsonElement state = default;
        await DatabaseDownTests.WaitForAsync(async () =>
        {
            state = await cluster.Admin.GetJsonAsync(url);
            var now = state.GetProperty("status").GetString();
            Assert.True(now is "running" or "queued" || now == status, $"{url}: {state}");
            return now == status;
        }, $"{url} to be {status}", 120);
        return state;
    }

    private static void JsonElementAssert(System.Text.Json.JsonElement state, string reason) =>
        Assert.Contains(reason, state.GetProperty("error").GetString());
}
