using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.Server.Proxies;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Proxies;

/// <summary>
/// The server behind a reverse proxy: requests arrive from 127.0.0.1 (the "proxy") carrying X-Forwarded-For/Proto.
/// Trusted (SR_TRUSTED_PROXIES names the proxy): the cookie is Secure for a client that spoke HTTPS and the per-address
/// sign-in limit counts each client apart. Untrusted: the headers change nothing, so a client cannot fake HTTPS or
/// dodge the limit by sending another address.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class ForwardedHeadersTests(ServerFixture server)
{
    private const int LoginsPerAddress = 3;
    private const string CookieTestsFrom = "127.0.0.9";

    [Theory]
    [InlineData(CookieTestsFrom, true)]
    [InlineData("127.0.0.0/8", true)]
    [InlineData("10.20.30.40, 192.0.2.0/24", false)]
    public async Task The_cookie_is_Secure_only_when_a_trusted_proxy_says_the_client_used_HTTPS(string trusted, bool honoured)
    {
        await using var factory = Behind(trusted);
        var name = $"fwd-{Guid.NewGuid():N}"[..20];
        await server.UserAsync(name, Role.Viewer, null);
        // From an address no other test fails sign-ins from: the per-address limit (3 here) is counted in the database.
        using var client = LoopbackClients.From(CookieTestsFrom, factory.CreateClient().BaseAddress!);

        var login = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login") { Content = JsonContent.Create(new { name, password = ServerFixture.Password }) };
        login.Headers.Add("X-Forwarded-Proto", "https");
        login.Headers.Add("X-Forwarded-For", "203.0.113.9");
        var response = await client.SendAsync(login);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("sr.session=", StringComparison.Ordinal));
        Assert.Equal(honoured, cookie.Split(';').Any(part => part.Trim().Equals("secure", StringComparison.OrdinalIgnoreCase)));
    }

    [Theory]
    [InlineData("127.0.0.0/8", true)]
    [InlineData("10.20.30.40", false)]
    public async Task The_per_address_sign_in_limit_counts_the_client_behind_a_trusted_proxy_and_the_proxy_otherwise(string trusted, bool honoured)
    {
        await using var factory = Behind(trusted);
        // The "proxy" and its clients have addresses of their own: failures are counted in the database every server
        // of this test run shares, and other tests fail sign-ins from 127.0.0.1.
        using var client = LoopbackClients.From(LoopbackClients.NewAddress(), factory.CreateClient().BaseAddress!);
        var (clientAddress, otherClient) = ($"198.51.100.{Random.Shared.Next(1, 127)}", $"198.51.100.{Random.Shared.Next(128, 255)}");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= LoginsPerAddress; i++) statuses.Add(await FailedLoginFromAsync(client, clientAddress));
        Assert.All(statuses.Take(LoginsPerAddress), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);

        // Another client behind the same proxy: its own allowance when the proxy is trusted, the proxy's spent one if not.
        var other = await FailedLoginFromAsync(client, otherClient);
        Assert.Equal(honoured ? HttpStatusCode.Unauthorized : HttpStatusCode.TooManyRequests, other);
    }

    [Fact]
    public void A_setting_that_is_not_an_address_or_network_is_refused_with_its_name()
    {
        var (addresses, networks) = TrustedProxies.Parse(" 10.0.0.5 ,10.1.0.0/16, ::1");
        Assert.Contains(IPAddress.Parse("10.0.0.5"), addresses);
        Assert.Contains(IPAddress.Parse("::ffff:10.0.0.5"), addresses);
        Assert.Contains(IPAddress.IPv6Loopback, addresses);
        Assert.True(networks.Single().Contains(IPAddress.Parse("10.1.200.3")));
        var error = Assert.Throws<InvalidOperationException>(() => TrustedProxies.Parse("10.0.0.5, nginx.local"));
        Assert.Contains("nginx.local", error.Message);
        Assert.Contains(TrustedProxies.Setting, error.Message);
    }

    private static async Task<HttpStatusCode> FailedLoginFromAsync(HttpClient client, string address)
    {
        var login = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login")
        {
            Content = JsonContent.Create(new { name = $"fwd-nobody-{Guid.NewGuid():N}", password = "not the password" }),
        };
        login.Headers.Add("X-Forwarded-For", address);
        return (await client.SendAsync(login)).StatusCode;
    }

    /// <summary>A second server over the fixture's database, on real Kestrel: every request comes from 127.0.0.1.</summary>
    private WebApplicationFactory<Program> Behind(string trustedProxies)
    {
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("SR_PG", server.Database.ConnectionString);
            host.UseSetting(WebHostDefaults.ServerUrlsKey, "http://127.0.0.1:0");
            host.UseSetting("SR_LOGIN_PER_IP", LoginsPerAddress.ToString(System.Globalization.CultureInfo.InvariantCulture));
            host.UseSetting(TrustedProxies.Setting, trustedProxies);
        });
        factory.UseKestrel(0);
        factory.StartServer();
        return factory;
    }
}
