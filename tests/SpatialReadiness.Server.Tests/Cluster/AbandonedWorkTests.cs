using System.Net;
using System.Net.Http.Json;
using System.Text;
using Npgsql;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Cluster;

/// <summary>
/// A server killed outright (SIGKILL, a lost machine) while its import or check waits on the database: the work is
/// found through PostgreSQL by the other server (the test fixture's), never left 'running'. A check is taken over and
/// finishes there; an import, whose file was on the dead server, is marked interrupted. The work is held at a known
/// point by a lock on the features table that the test holds.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class AbandonedWorkTests(ServerFixture server)
{
    [Fact]
    public async Task A_check_whose_server_died_is_taken_over_by_another_server_and_succeeds()
    {
        var city = await CityAsync("abcheck");
        var (run, attempts) = (Guid.Empty, 0);
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
        } // the lock is released: whoever claims the run next can read the features

        var finished = await WaitForAsync(async () =>
        {
            var status = await StoredAsync("SELECT status FROM check_runs WHERE id = $1", run);
            Assert.True(status is "running" or "queued" or "succeeded", $"the run ended {status}");
            return status == "succeeded";
        }, "another server to take the check over and finish it");
        attempts = await server.Database.ScalarAsync<int>("SELECT attempts FROM check_runs WHERE id = $1", run);
        Assert.Equal(2, attempts); // claimed by the dead server, then by the fixture's
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
