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

    [Fact]
    public async Task A_busy_primary_is_no_failover_so_a_replica_behind_never_signs_in_a_revoked_key()
    {
        var realAccounts = new AccountStore(server.Database.DataSource);
        var user = await realAccounts.CreateUserAsync($"fo-{Guid.NewGuid():N}"[..20], Role.Contributor, ServerFixture.NgoOrg, Passwords.Hash(ServerFixture.Password));
        var key = ApiKeys.Issue();
        var added = await realAccounts.AddKeyAsync(user.Id, "revoked", key);
        Assert.True(await realAccounts.RevokeKeyAsync(added.Id, null));

        // A replica without the revocation: it was away while the primary went on alone (synchronous_mode_strict is
        // off), and has replayed all it has received since it came back. Here: the test database seen through a view
        // of api_keys with nothing revoked.
        var behind = $"behind_{Guid.NewGuid():N}"[..20];
        await server.Database.ScalarAsync<object>($"""
            CREATE SCHEMA {behind};
            CREATE VIEW {behind}.api_keys AS SELECT id, user_id, label, prefix, sha256, created_at, last_used_at, NULL::timestamptz AS revoked_at FROM public.api_keys
            """);
        try
        {
            await using var replica = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(server.Database.ConnectionString) { SearchPath = $"{behind},public" }.ConnectionString);
            await using var dead = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=nobody;Database=nothing;Timeout=2");
            // That replica would sign the key in during a real failover (the primary unreachable): what it has is all there is.
            Assert.NotNull(await new AccountStore(dead, new FailoverReads(replica)).FindByKeyAsync(ApiKeys.Sha256(key.Key)));

            // The primary is up, but every connection of its pool is taken: the key is not read from the replica.
            await using var busy = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(server.Database.ConnectionString) { MaxPoolSize = 1, Timeout = 1 }.ConnectionString);
            await using var held = await busy.OpenConnectionAsync();
            var e = await Assert.ThrowsAnyAsync<Exception>(() => new AccountStore(busy, new FailoverReads(replica)).FindByKeyAsync(ApiKeys.Sha256(key.Key)));
            Assert.Equal(false, DatabaseFaults.Classify(e)?.Timeout); // answered 503 + Retry-After, never as the key's user
        }
        finally
        {
            await server.Database.ScalarAsync<object>($"DROP SCHEMA {behind} CASCADE");
        }
    }
}
