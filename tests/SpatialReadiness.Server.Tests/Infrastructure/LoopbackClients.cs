using System.Net;
using System.Net.Sockets;

namespace SpatialReadiness.Server.Tests.Infrastructure;

/// <summary>
/// HTTP clients whose connections come from a chosen loopback address (Linux routes all of 127/8 to lo), so a test
/// can be a client of its own to the per-address limits, which every server over the same database now shares.
/// </summary>
public static class LoopbackClients
{
    public static HttpClient From(string address, Uri server) => new(new SocketsHttpHandler
    {
        UseCookies = false,
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
            await socket.ConnectAsync(context.DnsEndPoint, ct);
            return new NetworkStream(socket, ownsSocket: true);
        },
    }) { BaseAddress = server };

    /// <summary>A loopback address no other test uses (127.x.y.z, chosen at random).</summary>
    public static string NewAddress() => $"127.{Random.Shared.Next(10, 250)}.{Random.Shared.Next(0, 255)}.{Random.Shared.Next(1, 254)}";
}
