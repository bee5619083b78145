using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace SpatialReadiness.Server.Tests.Infrastructure;

/// <summary>The real server (Program) in-process over its own fresh PostGIS database, spoken to over HTTP.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private readonly PostgisFixture _database = new();
    private WebApplicationFactory<Program> _factory = null!;

    public PostgisFixture Database => _database;
    public HttpClient Client { get; private set; } = null!;

    /// <summary>Upload limit for tests, small so the over-limit case is cheap to send.</summary>
    public const int MaxUploadMb = 8;
    public const int MaxVertices = 100_000;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("SR_PG", _database.ConnectionString);
            host.UseSetting("SR_MAX_UPLOAD_MB", MaxUploadMb.ToString(System.Globalization.CultureInfo.InvariantCulture));
            host.UseSetting("SR_MAX_UNPACKED_MB", "64");
            host.UseSetting("SR_MAX_VERTICES", MaxVertices.ToString(System.Globalization.CultureInfo.InvariantCulture));
            // appsettings.json's Urls (127.0.0.1:5080, for tools/run) would win over UseKestrel(0): a free port instead,
            // so tests run beside a running server and beside each other (server and viewer tests run in parallel).
            host.UseSetting("Urls", "http://127.0.0.1:0");
            host.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new RecordRequests(Requests)));
        });
        // Kestrel on a free loopback port: real HTTP, which outside clients (ogrinfo, node) can reach at BaseAddress.
        _factory.UseKestrel(0);
        _factory.StartServer();
        Client = _factory.CreateClient();
        BaseAddress = Client.BaseAddress!;
    }

    /// <summary>Every request the server received ("GET /ogc/collections?f=json"), so a test can see what an outside client sent.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    private sealed class RecordRequests(ConcurrentQueue<string> log) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                log.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
                return nextMiddleware(context);
            });
            next(app);
        };
    }

    /// <summary>Where the server listens, e.g. http://127.0.0.1:41234/.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
        await _database.DisposeAsync();
    }
}
