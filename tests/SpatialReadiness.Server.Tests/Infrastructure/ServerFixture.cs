using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.PostGis.Accounts;

namespace SpatialReadiness.Server.Tests.Infrastructure;

/// <summary>
/// The real server (Program) in-process over its own fresh PostGIS database, spoken to over HTTP. <see cref="Client"/>
/// is anonymous; <see cref="Admin"/>, <see cref="Moderator"/> and <see cref="Contributor"/> send API keys of users made
/// in the database first (organisations <see cref="CityOrg"/> and <see cref="NgoOrg"/>); <see cref="UserAsync"/> makes
/// more, <see cref="SignInAsync"/> signs in with the cookie as the viewer does.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private readonly PostgisFixture _database = new();
    private WebApplicationFactory<Program> _factory = null!;
    private AccountStore _accounts = null!;

    public PostgisFixture Database => _database;
    public HttpClient Client { get; private set; } = null!;

    /// <summary>The city's GIS cell and an NGO.</summary>
    public const string CityOrg = "test-city-gis", NgoOrg = "test-ngo";

    /// <summary>The one other site configured (SR_CORS_ORIGINS) for signed-in cross-origin requests.</summary>
    public const string TrustedOrigin = "https://dashboard.city.example";

    /// <summary>The password every test user has.</summary>
    public const string Password = "correct horse battery staple";

    public HttpClient Admin { get; private set; } = null!;

    /// <summary>A moderator of <see cref="CityOrg"/>.</summary>
    public HttpClient Moderator { get; private set; } = null!;

    /// <summary>A contributor of <see cref="NgoOrg"/>.</summary>
    public HttpClient Contributor { get; private set; } = null!;

    /// <summary>Upload limit for tests, small so the over-limit case is cheap to send.</summary>
    public const int MaxUploadMb = 8;
    public const int MaxVertices = 100_000;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        _accounts = new AccountStore(_database.DataSource);
        await _accounts.CreateOrganisationAsync(CityOrg, "Test city GIS cell", "city");
        await _accounts.CreateOrganisationAsync(NgoOrg, "Test NGO", "ngo");
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("SR_PG", _database.ConnectionString);
            // Not appsettings' 127.0.0.1:5080 (which would win over UseKestrel(0)): a free port, so tests run beside a
            // running server and beside each other (server and viewer tests run in parallel).
            host.UseSetting(Microsoft.AspNetCore.Hosting.WebHostDefaults.ServerUrlsKey, "http://127.0.0.1:0");
            host.UseSetting("SR_MAX_UPLOAD_MB", MaxUploadMb.ToString(System.Globalization.CultureInfo.InvariantCulture));
            host.UseSetting("SR_MAX_UNPACKED_MB", "64");
            host.UseSetting("SR_MAX_VERTICES", MaxVertices.ToString(System.Globalization.CultureInfo.InvariantCulture));
            // Every test signs in from 127.0.0.1 and writes as a few users: the per-address and per-user limits are
            // lifted here; the per-name sign-in limit (10 per 15 minutes) is the one a test exercises.
            host.UseSetting("SR_LOGIN_PER_IP", "100000");
            host.UseSetting("SR_WRITES_PER_USER", "100000");
            // The OData JSON writer checks every object it writes (a malformed entity fails the request, not the client).
            host.UseSetting("SR_ODATA_VALIDATE", "true");
            host.UseSetting("SR_CORS_ORIGINS", TrustedOrigin);
            host.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new RecordRequests(Requests)));
        });
        // Kestrel on a free loopback port: real HTTP, which outside clients (ogrinfo, node) can reach at BaseAddress.
        _factory.UseKestrel(0);
        _factory.StartServer();
        Client = _factory.CreateClient();
        BaseAddress = Client.BaseAddress!;
        Admin = await UserAsync("test-admin", Role.Admin, null);
        Moderator = await UserAsync("test-moderator", Role.Moderator, CityOrg);
        Contributor = await UserAsync("test-contributor", Role.Contributor, NgoOrg);
    }

    /// <summary>A new user (password <see cref="Password"/>) and a client that sends an API key of theirs.</summary>
    public async Task<HttpClient> UserAsync(string name, Role role, string? organisation)
    {
        var user = await _accounts.CreateUserAsync(name, role, organisation, Passwords.Hash(Password));
        var key = ApiKeys.Issue();
        await _accounts.AddKeyAsync(user.Id, "tests", key);
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key.Key);
        return client;
    }

    /// <summary>Signs in as the viewer does: the session cookie, then the anti-forgery token sent with every change.</summary>
    public async Task<HttpClient> SignInAsync(string name, string password = Password)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer() }) { BaseAddress = BaseAddress };
        var response = await client.PostAsync("/api/auth/login", System.Net.Http.Json.JsonContent.Create(new { name, password }));
        Assert.True(response.IsSuccessStatusCode, $"sign-in as {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var token = (await response.JsonAsync()).GetProperty("antiforgery").GetProperty("token").GetString();
        client.DefaultRequestHeaders.Add("X-CSRF-TOKEN", token);
        return client;
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
        Admin.Dispose();
        Moderator.Dispose();
        Contributor.Dispose();
        await _factory.DisposeAsync();
        await _database.DisposeAsync();
    }
}
