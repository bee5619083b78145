using System.Net;
using System.Text;
using SpatialReadiness.Server.Tests.Infrastructure;
using SpatialReadiness.Server.Tiles;

namespace SpatialReadiness.Server.Tests.Cluster;

/// <summary>
/// The listening connection cut (as by a PostgreSQL restart or a failover): the server LISTENs again by itself and then
/// drops every cached tile, since a change may have happened unheard. The change here is made behind the server's back
/// (features rewritten under the same layer version, as a restored backup can), so only dropping everything shows it.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class LayerChangeListenerTests(ServerFixture server)
{
    private const string Tile = "12/2887/1833";

    [Fact]
    public async Task A_dropped_listener_listens_again_and_drops_every_cached_tile()
    {
        var city = $"listen{Guid.NewGuid():N}"[..16];
        await server.Admin.CreateCityAsync(city);
        var wards = "{\"type\":\"FeatureCollection\",\"features\":[" + ContributionCity.Feature("{\"ward_no\":\"1\",\"ward_name\":\"heard-before\"}",
            ContributionCity.Square(73.78013, 18.50011, 73.78913, 18.50911)) + "]}";
        var layer = (await server.Admin.UploadAsync(city, Encoding.UTF8.GetBytes(wards), "wards.geojson", "ward", ("name", "wards")).CreatedLayerAsync()).GetProperty("id").GetInt64();
        Assert.Contains("heard-before", await TileTextAsync(layer)); // now cached
        var listeners = await ListenerPidsAsync();
        Assert.NotEmpty(listeners);

        // Every server over this database has its listener cut (other tests start servers of their own over it).
        foreach (var pid in listeners) await server.Database.ScalarAsync<bool>("SELECT pg_terminate_backend($1)", pid);
        await server.Database.ScalarAsync<int>("""
            WITH changed AS (UPDATE features SET attributes = jsonb_set(attributes, '{ward_name}', '"unheard-after"') WHERE layer_id = $1 RETURNING 1)
            SELECT count(*)::int FROM changed
            """, layer);

        // The cached tile is dropped once the server listens again (it retries every second).
        var text = "";
        for (var deadline = DateTime.UtcNow.AddSeconds(20); !text.Contains("unheard-after"); await Task.Delay(200))
        {
            Assert.True(DateTime.UtcNow < deadline, "the server still serves the tile cached before its listener was cut, 20 s later");
            text = await TileTextAsync(layer);
        }
        Assert.DoesNotContain("heard-before", text);
        // And it listens again by itself (a retry a second after the drop).
        for (var deadline = DateTime.UtcNow.AddSeconds(20); !(await ListenerPidsAsync()).Any(pid => !listeners.Contains(pid)); await Task.Delay(200))
            Assert.True(DateTime.UtcNow < deadline, "no server listened again within 20 s");
    }

    private async Task<string> TileTextAsync(long layer)
    {
        var response = await server.Client.GetAsync($"/tiles/{layer}/{Tile}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync());
    }

    private async Task<List<int>> ListenerPidsAsync()
    {
        await using var command = server.Database.DataSource.CreateCommand(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1");
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = LayerChangeListener.ApplicationName });
        var pids = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) pids.Add(reader.GetInt32(0));
        return pids;
    }
}
