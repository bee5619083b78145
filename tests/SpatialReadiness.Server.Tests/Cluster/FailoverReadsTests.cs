using Npgsql;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.PostGis;
using SpatialReadiness.PostGis.Accounts;
using SpatialReadiness.PostGis.Layers;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Cluster;

/// <summary>
/// The primary unreachable (a closed port, as a dead machine behind HAProxy): the lookups a read starts with - layers,
/// cities, the user of an API key or a session - come from the replica (here the test database, which answers as a
/// primary does), at the versions it has; without a replica the fault stands (a 503 to the client).
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class FailoverReadsTests(ServerFixture server)
{
    [Fact]
    public async Task Layers_cities_and_users_are_read_from_the_replica_while_the_primary_cannot_be_reached()
    {
        var city = $"fover{Guid.NewGuid():N}"[..16];
        await server.Admin.CreateCityAsync(city);
        var wards = "{\"type\":\"FeatureCollection\",\"features\":[" + ContributionCity.Feature("{\"ward_no\":\"1\"}",
            ContributionCity.Square(73.78013, 18.50011, 73.78913, 18.50911)) + "]}";
        var id = (await server.Admin.UploadAsync(city, System.Text.Encoding.UTF8.GetBytes(wards), "wards.geojson", "ward", ("name", "wards")).CreatedLayerAsync()).GetProperty("id").GetInt64();
        var live = new LayerStore(server.Database.DataSource);
        var expected = (await live.GetLayerAsync(id))!;

        await using var dead = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=nobody;Database=nothing;Timeout=2");
        var failover = new FailoverReads(server.Database.DataSource);
        var layers = new LayerStore(dead, failover);
        var layer = await layers.GetLayerAsync(id);
        Assert.NotNull(layer);
        Assert.Equal(expected.Version, layer.Version);
        Assert.Equal(expected.Sensitive, layer.Sensitive);
        Assert.Equal(["wards"], (await layers.ListLayersAsync(city)).Select(l => l.Name));
        Assert.Contains(await layers.ListPublicLayersAsync(), l => l.Id == id);
        Assert.Equal(city, (await layers.GetCityAsync(city))?.Id);
        // The tile catalog's fallback reads only the replica (once it has replayed what it received).
        Assert.Equal(expected.Version, (await new LayerStore(dead, FailoverReads.OnReplica(server.Database.DataSource)).GetLayerAsync(id))?.Version);

        var realAccounts = new AccountStore(server.Database.DataSource);
        var user = await realAccounts.CreateUserAsync($"fo-{Guid.NewGuid():N}"[..20], Role.Contributor, ServerFixture.NgoOrg, Passwords.Hash(ServerFixture.Password));
        var key = ApiKeys.Issue();
        await realAccounts.AddKeyAsync(user.Id, "failover", key);
        var accounts = new AccountStore(dead, failover);
        var byKey = await accounts.FindByKeyAsync(ApiKeys.Sha256(key.Key));
        Assert.Equal((user.Name, Role.Contributor, (string?)ServerFixture.NgoOrg), (byKey?.User.Name, byKey?.User.Role, byKey?.User.Organisation));
        Assert.Equal(user.Name, (await accounts.GetSignInAsync(user.Id))?.User.Name);

        // Without a replica, the primary's fault is what the caller gets: an availability fault, answered 503.
        var e = await Assert.ThrowsAnyAsync<Exception>(() => new LayerStore(dead).GetLayerAsync(id));
        Assert.Equal(false, DatabaseFaults.Classify(e)?.Timeout);
    }
}
