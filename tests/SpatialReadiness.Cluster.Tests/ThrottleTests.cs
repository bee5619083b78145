using System.Net;
using System.Net.Http.Json;

namespace SpatialReadiness.Cluster.Tests;

/// <summary>
/// The sign-in throttle holds across both servers: failures are counted in PostgreSQL, so a guesser alternating between
/// the servers gets no more tries than from one. The servers trust 127.0.0.1 as their proxy (as nginx), so each test
/// is a client of its own through X-Forwarded-For.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ThrottleTests(ClusterFixture cluster)
{
    private const int PerNamePer15Minutes = 10, PerAddressPerMinute = 30; // the servers' defaults

    [Fact]
    public async Task Failed_sign_ins_alternating_between_the_servers_share_the_per_name_and_per_address_limits()
    {
        using var a = cluster.Client(cluster.ServerA);
        using var b = cluster.Client(cluster.ServerB);
        var address = $"198.51.100.{Random.Shared.Next(1, 255)}";
        var name = $"guess-{Guid.NewGuid():N}"[..20];

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < PerNamePer15Minutes + 2; i++) statuses.Add(await FailAsync(i % 2 == 0 ? a : b, name, address));
        Assert.All(statuses.Take(PerNamePer15Minutes), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal([HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses.Skip(PerNamePer15Minutes));

        // Other names from the same address: the address's minute holds PerAddressPerMinute failures in all.
        statuses.Clear();
        for (var i = PerNamePer15Minutes; i <= PerAddressPerMinute; i++) statuses.Add(await FailAsync(i % 2 == 0 ? a : b, $"other-{Guid.NewGuid():N}"[..20], address));
        Assert.All(statuses.SkipLast(1), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    private static async Task<HttpStatusCode> FailAsync(HttpClient server, string name, string address)
    {
        using var login = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login") { Content = JsonContent.Create(new { name, password = "not the password" }) };
        login.Headers.Add("X-Forwarded-For", address);
        return (await server.SendAsync(login)).StatusCode;
    }
}
