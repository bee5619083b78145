using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.PostGis;
using SpatialReadiness.PostGis.Accounts;
using SpatialReadiness.PostGis.Embedded;

namespace SpatialReadiness.Server.Tests.Faults;

/// <summary>
/// A PostgreSQL cluster of the fault tests' own (an embedded cluster under .data/faults-*), so they can kill and restart
/// it without touching the cluster every other test shares, and the real server over it with small bounds: statement
/// timeouts of 1.5 s, one import at a time, four feeds (one anonymous), uploads in a temp folder of its own.
/// </summary>
public sealed class FaultCluster : IAsyncLifetime
{
    private readonly List<WebApplicationFactory<Program>> _servers = [];

    public string DataRoot { get; } = Path.Combine(Database.DefaultDataRoot(), "faults-" + Guid.NewGuid().ToString("N")[..8]);
    public string TempDirectory { get; } = Gdal.TempDirectory();
    public EmbeddedPostgis Cluster => new(DataRoot);
    public string ConnectionString { get; private set; } = "";
    public HttpClient Client { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;
    public int Port => new NpgsqlConnectionStringBuilder(ConnectionString).Port;

    public async Task InitializeAsync()
    {
        ConnectionString = await Cluster.StartAsync();
        await using (var dataSource = await Database.OpenAsync(ConnectionString)) { } // migrated
        BaseAddress = StartServer();
        Client = new HttpClient { BaseAddress = BaseAddress };
        Admin = await UserAsync("fault-admin", Role.Admin);
    }

    /// <summary>Starts a server over the cluster (the fixture's own, or another with different settings) and returns its address.</summary>
    public Uri StartServer(params (string Name, string Value)[] settings)
    {
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("SR_PG", ConnectionString);
            host.UseSetting("SR_DATA", DataRoot);
            host.UseSetting(WebHostDefaults.ServerUrlsKey, "http://127.0.0.1:0");
            host.UseSetting("SR_TEMP_DIR", TempDirectory);
            host.UseSetting("SR_TILE_TIMEOUT_MS", "1500");
            host.UseSetting("SR_FEED_TIMEOUT_MS", "1500");
            host.UseSetting("SR_MAX_IMPORTS", "1");
            host.UseSetting("SR_MAX_FEEDS", "4");
            host.UseSetting("SR_MIN_UPLOAD_BYTES_PER_S", "2000");
            host.UseSetting("SR_WRITES_PER_USER", "100000");
            foreach (var (name, value) in settings) host.UseSetting(name, value);
        });
        factory.UseKestrel(0);
        factory.StartServer();
        _servers.Add(factory);
        return factory.CreateClient().BaseAddress!;
    }

    public async Task<HttpClient> UserAsync(string name, Role role, Uri? server = null)
    {
        await using var dataSource = Database.CreateDataSource(ConnectionString);
        var accounts = new AccountStore(dataSource);
        var user = await accounts.GetUserAsync(name) ?? await accounts.CreateUserAsync(name, role, null, Passwords.Hash("correct horse battery staple"));
        var key = ApiKeys.Issue();
        await accounts.AddKeyAsync(user.Id, "fault tests", key);
        var client = new HttpClient { BaseAddress = server ?? BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key.Key);
        return client;
    }

    /// <summary>A new connection to the fault cluster, as an operator's psql would be.</summary>
    public async Task<NpgsqlConnection> ConnectAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var connection = await ConnectAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters) command.Parameters.Add(new NpgsqlParameter { Value = p });
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public Task TerminateAsync(int backendPid) => ScalarAsync<bool>("SELECT pg_terminate_backend($1)", backendPid);

    /// <summary>The whole postmaster killed (SIGKILL), as an OOM killer or a crash would; its backends die with it.</summary>
    public void KillPostmaster()
    {
        var pid = int.Parse(File.ReadLines(Path.Combine(Cluster.ClusterDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        using var postmaster = Process.GetProcessById(pid);
        postmaster.Kill();
        postmaster.WaitForExit(10_000);
    }

    /// <summary>Starts the cluster again (after a kill, a crash or a stop) and asserts it kept its port.</summary>
    public async Task RestartAsync()
    {
        var port = Port;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var restarted = await Cluster.StartAsync();
                Assert.Equal(port, new NpgsqlConnectionStringBuilder(restarted).Port);
                return;
            }
            catch (InvalidOperationException) when (attempt < 10)
            {
                await Task.Delay(1000); // backends of a killed postmaster still holding its shared memory
            }
        }
    }

    /// <summary>Polls <paramref name="url"/> until it answers 200 (the server reconnected by itself), at most 60 s.</summary>
    public async Task WaitUntilReadyAsync(Uri? server = null)
    {
        using var client = new HttpClient { BaseAddress = server ?? BaseAddress };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var response = await client.GetAsync("/health/ready");
            if (response.IsSuccessStatusCode) return;
            Assert.True(DateTime.UtcNow < deadline, $"the server did not become ready again: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            await Task.Delay(250);
        }
    }

    /// <summary>Names of the files left in the server's upload temp folder.</summary>
    public string[] TempFiles() => Directory.GetFileSystemEntries(TempDirectory).Select(Path.GetFileName).ToArray()!;

    public async Task DisposeAsync()
    {
        Client.Dispose();
        Admin.Dispose();
        foreach (var server in _servers) await server.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        try { Cluster.Stop(); } catch (InvalidOperationException) { }
        try { Directory.Delete(DataRoot, recursive: true); } catch (IOException) { }
        try { Directory.Delete(TempDirectory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>
/// The fault tests kill and restart PostgreSQL and hold locks: they run after every other collection, one at a time,
/// against their own cluster.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultCollection : ICollectionFixture<FaultCluster>
{
    public const string Name = "faults";
}
