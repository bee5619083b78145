namespace SpatialReadiness.Cluster.Tests;

/// <summary>
/// nginx's tile cache in front of the servers: what one reader was answered is handed to the next only when they asked
/// for the same thing, host included (TileJSON names the host it was asked under in its tile URLs).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ProxyCacheTests(ClusterFixture cluster)
{
    [Fact]
    public async Task A_TileJSON_asked_for_under_another_host_name_is_never_handed_by_nginx_to_the_next_reader()
    {
        using var admin = cluster.Client(cluster.ServerA, admin: true);
        var city = "hst" + Guid.NewGuid().ToString("N")[..8];
        await CityLayers.CreateCityAsync(admin, city);
        var (id, _) = await CityLayers.ImportAsync(admin, city, "wards", "first", 3);
        using var nginx = cluster.Client(cluster.Nginx);

        // Someone asks through nginx under a host name of their own: the tile URLs of that TileJSON name it ...
        using var forged = new HttpRequestMessage(HttpMethod.Get, $"/tiles/{id}.json");
        forged.Headers.Host = "tiles.attacker.example";
        Assert.Contains("tiles.attacker.example", await (await nginx.SendAsync(forged)).Content.ReadAsStringAsync());
        // ... and a reader right after (within the second nginx keeps it) must not be sent to that host for tiles.
        var json = await nginx.GetStringAsync($"/tiles/{id}.json");
        Assert.DoesNotContain("tiles.attacker.example", json);
        Assert.Contains(cluster.Nginx.Authority, json);
    }
}
