using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using IPNetwork = System.Net.IPNetwork;

namespace SpatialReadiness.Server.Proxies;

/// <summary>
/// Behind a reverse proxy (nginx terminating TLS): X-Forwarded-For and X-Forwarded-Proto are believed only when the
/// connection comes from an address in SR_TRUSTED_PROXIES (a comma list of addresses and CIDR networks), so the session
/// cookie is Secure when the client spoke HTTPS to the proxy, and per-client limits count the client, not the proxy.
/// A chain of trusted proxies is walked back to the first address not trusted. Unset: the headers are ignored (anyone
/// could send them), and the loopback defaults ASP.NET Core would otherwise trust are dropped too.
/// </summary>
public static class TrustedProxies
{
    public const string Setting = "SR_TRUSTED_PROXIES";

    public static void AddTrustedProxies(this IServiceCollection services, IConfiguration configuration)
    {
        var (addresses, networks) = Parse(configuration[Setting]);
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var address in addresses) o.KnownProxies.Add(address);
            foreach (var network in networks) o.KnownIPNetworks.Add(network);
            o.ForwardLimit = null;
        });
    }

    /// <summary>First in the pipeline, so everything after it (cookies, limits, logs) sees the client.</summary>
    public static void UseTrustedProxies(this WebApplication app)
    {
        if (!string.IsNullOrWhiteSpace(app.Configuration[Setting])) app.UseForwardedHeaders();
    }

    public static (IReadOnlyList<IPAddress> Addresses, IReadOnlyList<IPNetwork> Networks) Parse(string? value)
    {
        var addresses = new List<IPAddress>();
        var networks = new List<IPNetwork>();
        foreach (var entry in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (entry.Contains('/') && IPNetwork.TryParse(entry, out var network)) networks.Add(network);
            else if (IPAddress.TryParse(entry, out var address))
            {
                addresses.Add(address);
                // A proxy on IPv4 is seen as ::ffff:a.b.c.d on a dual-stack socket.
                if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) addresses.Add(address.MapToIPv6());
            }
            else throw new InvalidOperationException($"{Setting}: '{entry}' is neither an IP address nor a CIDR network (e.g. 10.0.0.5, 10.0.0.0/24, ::1).");
        }
        return (addresses, networks);
    }
}
