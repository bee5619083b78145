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
        var listener = await ListenerPidAsync() ?? throw new InvalidOperationException("the server has no listening connection");

        await server.Database.ScalarAsync<bool>("SELECT pg_terminate_backend($1)", listener);
        await server.Database.ScalarAsync<int>("""
            WITH changed AS (UPDATE features SET attributes = jsonb_set(attributes, '{ward_name}', '"unheard-after"') WHERE layer_id = $1 RETURNING 1)
            SELECT count(*)::int FROM changed
            """, layer);

        for (var deadline = DateTime.UtcNow.AddSeconds(20); ; await Task.Delay(100))
        {
            if (await ListenerPidAsync() is { } again && again != listener) break;
            Assert.True(DateTime.UtcNow < deadline, "the server did not LISTEN again within 20 s");
        }
        var text = await TileTextAsync(layer);
        Assert.Contains("unheard-after", text);
        Assert.DoesNotContain("heard-before", text);
    }

    private async Task<string> TileTextAsync(long layer)
    {
        var response = await server.Client.GetAsync($"/tiles/{layer}/{Tile}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync());
    }

    private async Task<int?> ListenerPidAsync()
    {
        await using var command = server.Database.DataSource.CreateCommand(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1 ORDER BY backend_start DESC LIMIT 1");
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = LayerChangeListener.ApplicationName });
        return await command.ExecuteScalarAsync() as int?;
    }
}
