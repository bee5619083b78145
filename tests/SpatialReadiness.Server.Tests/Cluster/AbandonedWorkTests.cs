using System.Net;
using System.Net.Http.Json;
using System.Text;
using Npgsql;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Cluster;

/// <summary>
/// A server killed outright (SIGKILL, a lost machine) while its import or check waits on the database: the work is
/// found through PostgreSQL by the other server (the test fixture's), never left 'running': it is marked interrupted
/// (nothing of it was kept). A run queued but never started is claimed and run by the other server. The work is held
/// at a known point by a lock on the features table that the test holds.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class AbandonedWorkTests(ServerFixture server)
{
    [Fact]
    public async Task A_check_whose_server_died_is_marked_interrupted_and_runs_again_on_another_server()
    {
        var city = await CityAsync("abcheck");
        var run = Guid.Empty;
        await using (var dying = await StartAsync())
        {
            await using var hold = await HoldFeaturesAsync();
            using var client = dying.Client();
            client.DefaultRequestHeaders.Authorization = server.Admin.DefaultRequestHeaders.Authorization;
            var started = await client.PostAsJsonAsync($"/api/cities/{city}/checks", new { });
            Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
            run = (await started.JsonAsync()).GetProperty("id").GetGuid();
            await WaitForAsync(async () => await StoredAsync("SELECT status FROM check_runs WHERE id = $1", run) == "running", "the check to be claimed");
            dying.Kill();
        } // the lock is released

        // Stored as interrupted by the other server's sweep, not merely read so.
        await WaitForAsync(async () => await StoredAsync("SELECT status FROM check_runs WHERE id = $1", run) == "interrupted", "another server to mark the run interrupted");
        Assert.Equal(0L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM findings WHERE run_id = $1", run));
        var again = await server.Admin.RunCheckAsync(city);
        Assert.NotEqual(run, again.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task A_run_queued_by_a_server_that_died_before_starting_it_is_claimed_and_run_by_another()
    {
        var city = await CityAsync("abqueue");
        // What a server that died between queueing a run and claiming it leaves behind.
        var run = Guid.NewGuid();
        await server.Database.ScalarAsync<object>("""
            INSERT INTO check_runs (id, city_id, status, rule_set_version, requested_by, started_at)
            VALUES ($1, $2, 'queued', $3, 'a server that died', now() - interval '10 seconds') RETURNING 1
            """, run, city, SpatialReadiness.Checks.RuleSet.Version);
        await WaitForAsync(async () =>
        {
            var status = await StoredAsync("SELECT status FROM check_runs WHERE id = $1", run);
            Assert.True(status is "queued" or "running" or "succeeded", $"the run ended {status}");
            return status == "succeeded";
        }, "another server to claim the queued run and finish it");
        var readiness = await server.Client.GetJsonAsync($"/api/cities/{city}/readiness");
        Assert.Equal(run.ToString(), readiness.GetProperty("runId").GetString());
    }

    [Fact]
    public async Task An_import_whose_server_died_is_marked_interrupted_never_left_running()
    {
        var city = await CityAsync("abimport");
        await using (var dying = await StartAsync())
        {
            await using var hold = await HoldFeaturesAsync();
            using var client = dying.Client();
            client.DefaultRequestHeaders.Authorization = server.Admin.DefaultRequestHeaders.Authorization;
            _ = client.UploadAsync(city, Encoding.UTF8.GetBytes(Wards("late")), "late.geojson", "ward", ("name", "late"))
                .ContinueWith(_ => { }, TaskScheduler.Default); // never answered: the server is killed under it
            await WaitForAsync(async () => await StoredAsync(
                "SELECT status FROM import_jobs WHERE city_id = $1 AND layer_name = 'late' AND backend_pid IS NOT NULL", city) == "running", "the import to reach the database");
            dying.Kill();
        }
        await WaitForAsync(async () => await StoredAsync("SELECT status FROM import_jobs WHERE city_id = $1 AND layer_name = 'late'", city) == "interrupted",
            "another server to mark the import interrupted");
        var error = await server.Database.ScalarAsync<string>("SELECT error FROM import_jobs WHERE city_id = $1 AND layer_name = 'late'", city);
        Assert.Contains("upload the file again", error);
        Assert.Equal(0L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM layers WHERE city_id = $1 AND name = 'late'", city));
    }

    private async Task<string> CityAsync(string prefix)
    {
        var city = $"{prefix}{Guid.NewGuid():N}"[..16];
        await server.Admin.CreateCityAsync(city);
        await server.Admin.UploadAsync(city, Encoding.UTF8.GetBytes(Wards("ward")), "wards.geojson", "ward", ("name", "wards")).CreatedLayerAsync();
        return city;
    }

    private Task<ServerProcess> StartAsync() =>
        ServerProcess.StartAsync(server.Database.ConnectionString, SpatialReadiness.PostGis.Database.DefaultDataRoot());

    /// <summary>A transaction holding an exclusive lock on features: imports and checks wait on it until it ends.</summary>
    private async Task<NpgsqlConnection> HoldFeaturesAsync()
    {
        var connection = new NpgsqlConnection(server.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("BEGIN; LOCK TABLE features IN ACCESS EXCLUSIVE MODE", connection);
        await command.ExecuteNonQueryAsync();
        return connection;
    }

    private async Task<string?> StoredAsync(string sql, object key)
    {
        await using var command = server.Database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        return await command.ExecuteScalarAsync() as string;
    }

    private static async Task<bool> WaitForAsync(Func<Task<bool>> done, string what)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(200))
            if (await done()) return true;
        throw new TimeoutException($"waited 60 s for {what}");
    }

    private static string Wards(string marker) =>
        "{\"type\":\"FeatureCollection\",\"features\":[" + string.Join(',', Enumerable.Range(0, 3).Select(i =>
            ContributionCity.Feature($"{{\"ward_no\":\"{i + 1}\",\"ward_name\":\"{marker}-{i + 1}\"}}",
                ContributionCity.Square(73.80013 + i * 0.01, 18.50011, 73.80913 + i * 0.01, 18.50911)))) + "]}";
}
