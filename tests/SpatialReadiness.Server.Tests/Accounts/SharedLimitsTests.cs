using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Accounts;

/// <summary>
/// Two servers over one database, as behind a proxy that balances between them: the sign-in throttle and the write
/// limit are counted in PostgreSQL, so a client alternating between the servers gets no more than from one.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class SharedLimitsTests(ServerFixture server)
{
    private const int WritesPerMinute = 4, LoginsPerAddress = 6, LoginsPerName = 3;

    [Fact]
    public async Task Writes_alternating_between_two_servers_share_one_per_user_limit()
    {
        await using var a = Start();
        await using var b = Start();
        using var user = await server.UserAsync($"shared-{Guid.NewGuid():N}"[..20], Role.Viewer, null);
        var statuses = new List<(string Server, HttpStatusCode Status, string? RetryAfter)>();
        for (var i = 0; i < WritesPerMinute + 2; i++)
        {
            var (name, factory) = i % 2 == 0 ? ("A", a) : ("B", b);
            using var client = factory.CreateClient();
            client.DefaultRequestHeaders.Authorization = user.DefaultRequestHeaders.Authorization;
            var response = await client.PostAsJsonAsync("/api/auth/keys", new { label = $"shared {i}" });
            statuses.Add((name, response.StatusCode, response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        Assert.All(statuses.Take(WritesPerMinute), s => Assert.Equal(HttpStatusCode.Created, s.Status));
        // Each server alone has seen only half the writes: both refuse once the user's minute is spent.
        Assert.All(statuses.Skip(WritesPerMinute), s => Assert.Equal(HttpStatusCode.TooManyRequests, s.Status));
        Assert.Equal(["A", "B"], statuses.Skip(WritesPerMinute).Select(s => s.Server));
        Assert.All(statuses.Skip(WritesPerMinute), s => Assert.InRange(double.Parse(s.RetryAfter!, System.Globalization.CultureInfo.InvariantCulture), 1, 60));
    }

    [Fact]
    public async Task Failed_sign_ins_alternating_between_two_servers_share_the_per_name_and_per_address_limits()
    {
        await using var a = Start();
        await using var b = Start();
        var address = LoopbackClients.NewAddress();
        using var toA = LoopbackClients.From(address, a.CreateClient().BaseAddress!);
        using var toB = LoopbackClients.From(address, b.CreateClient().BaseAddress!);

        // One name guessed from one address: LoginsPerName failures in all, whichever server answered them.
        var name = $"shared-guess-{Guid.NewGuid():N}"[..24];
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= LoginsPerName; i++) statuses.Add(await FailAsync(i % 2 == 0 ? toA : toB, name));
        Assert.All(statuses.Take(LoginsPerName), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.Equal(HttpStatusCode.TooManyRequests, await FailAsync(statuses.Count % 2 == 0 ? toA : toB, name));

        // Any names from the address: LoginsPerAddress failures a minute in all, the LoginsPerName above among them
        // (refused attempts are not failures).
        statuses.Clear();
        for (var i = LoginsPerName; i <= LoginsPerAddress; i++) statuses.Add(await FailAsync(i % 2 == 0 ? toA : toB, $"shared-other-{Guid.NewGuid():N}"[..24]));
        Assert.All(statuses.SkipLast(1), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    private static async Task<HttpStatusCode> FailAsync(HttpClient client, string name) =>
        (await client.PostAsJsonAsync("/api/auth/login", new { name, password = "not the password" })).StatusCode;

    private WebApplicationFactory<Program> Start()
    {
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("SR_PG", server.Database.ConnectionString);
            host.UseSetting(WebHostDefaults.ServerUrlsKey, "http://127.0.0.1:0");
            host.UseSetting("SR_WRITES_PER_USER", WritesPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture));
            host.UseSetting("SR_LOGIN_PER_IP", LoginsPerAddress.ToString(System.Globalization.CultureInfo.InvariantCulture));
            host.UseSetting("SR_LOGIN_PER_NAME", LoginsPerName.ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
        factory.UseKestrel(0);
        factory.StartServer();
        return factory;
    }
}
