using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Npgsql;

namespace SpatialReadiness.Cluster.Tests;

/// <summary>
/// The cluster tools/cluster runs (etcd, Patroni with two PostgreSQL nodes, HAProxy, two servers, nginx), brought up
/// before the tests and stopped after them. Ports follow the script: SR_CLUSTER_PORT (default 15400) and up.
/// <see cref="Kill"/> and <see cref="KillPrimary"/> take parts away as a lost machine would (SIGKILL); <see cref="HealAsync"/>
/// runs `tools/cluster up` again, which starts what is missing.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public static readonly int Base = int.TryParse(Environment.GetEnvironmentVariable("SR_CLUSTER_PORT"), out var p) ? p : 15400;
    public static readonly string Root = FindRoot();
    private static string ClusterDir => Path.Combine(Root, ".data", "cluster");

    public Uri ServerA { get; } = new($"http://127.0.0.1:{Base + 10}/");
    public Uri ServerB { get; } = new($"http://127.0.0.1:{Base + 11}/");
    public Uri Nginx { get; } = new($"http://127.0.0.1:{Base + 20}/");
    public string Primary { get; } = $"Host=127.0.0.1;Port={Base + 6};Username=postgres;Database=spatialreadiness;Timeout=5";

    public string ApiKey { get; private set; } = "";

    /// <summary>A contributor's key, for proposing contributions.</summary>
    public string ContributorKey { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await RunAsync(TimeSpan.FromMinutes(8), "tools/cluster", "up");
        var environment = new Dictionary<string, string> { ["SR_PG"] = Primary, ["SR_DATA"] = Path.Combine(ClusterDir, "shared") };
        var srd = Path.Combine(Root, "src", "SpatialReadiness.Cli", "bin", "Release", "net10.0", "srd.dll");
        await RunAsync(TimeSpan.FromMinutes(1), "dotnet", [srd, "users", "add", "cluster-tests", "--role", "admin"], environment, mayFail: true);
        var issued = await RunAsync(TimeSpan.FromMinutes(1), "dotnet", [srd, "users", "key", "cluster-tests", "--label", "cluster tests"], environment);
        ApiKey = issued.Trim().Split('\n')[^1].Trim();
        await RunAsync(TimeSpan.FromMinutes(1), "dotnet", [srd, "orgs", "add", "cluster-ngo", "--name", "Cluster NGO", "--kind", "ngo"], environment, mayFail: true);
        await RunAsync(TimeSpan.FromMinutes(1), "dotnet", [srd, "users", "add", "cluster-contributor", "--role", "contributor", "--org", "cluster-ngo"], environment, mayFail: true);
        issued = await RunAsync(TimeSpan.FromMinutes(1), "dotnet", [srd, "users", "key", "cluster-contributor", "--label", "cluster tests"], environment);
        ContributorKey = issued.Trim().Split('\n')[^1].Trim();
    }

    public async Task DisposeAsync() => await RunAsync(TimeSpan.FromMinutes(3), "tools/cluster", "down");

    /// <summary>A client of <paramref name="server"/>, signed in as an admin when <paramref name="admin"/>.</summary>
    public HttpClient Client(Uri server, bool admin = false) => Client(server, admin ? ApiKey : null);

    public HttpClient Client(Uri server, string? key)
    {
        var client = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Starts again whatever is not running, and waits until the cluster has a primary and a replica again.</summary>
    public Task HealAsync() => RunAsync(TimeSpan.FromMinutes(4), "tools/cluster", "up");

    public static void Kill(string name) => KillPid(int.Parse(File.ReadAllText(Path.Combine(ClusterDir, "run", name + ".pid")).Trim()));

    /// <summary>The node Patroni reports as primary (node1 or node2), killed with its PostgreSQL: the machine is gone.</summary>
    public static async Task<string> KillPrimary()
    {
        var node = await NodeAsync("primary") ?? throw new InvalidOperationException("no primary to kill");
        Kill(node);
        var postmaster = Path.Combine(ClusterDir, "pg", node, "postmaster.pid");
        if (File.Exists(postmaster)) KillPid(int.Parse(File.ReadAllLines(postmaster)[0].Trim()));
        return node;
    }

    /// <summary>The node whose Patroni answers 200 to GET /{role} (primary or replica), if any.</summary>
    public static async Task<string?> NodeAsync(string role)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; i < 2; i++)
        {
            try
            {
                if ((await http.GetAsync($"http://127.0.0.1:{Base + 4 + i}/{role}")).StatusCode == HttpStatusCode.OK) return $"node{i + 1}";
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
        }
        return null;
    }

    /// <summary>
    /// Patroni's maintenance mode on or off, and waits until both nodes report it. Patroni resumes a replica's paused
    /// replay on its next loop unless in maintenance mode.
    /// </summary>
    public static async Task MaintenanceAsync(bool on)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var patch = new HttpRequestMessage(HttpMethod.Patch, $"http://127.0.0.1:{Base + 4 + (await NodeAsync("primary") == "node2" ? 1 : 0)}/config")
        {
            Content = new StringContent(on ? "{\"pause\": true}" : "{\"pause\": null}", System.Text.Encoding.UTF8, "application/json"),
        };
        Assert.True((await http.SendAsync(patch)).IsSuccessStatusCode, "Patroni refused the maintenance mode change");
        for (var deadline = DateTime.UtcNow.AddSeconds(15); DateTime.UtcNow < deadline; await Task.Delay(250))
        {
            var states = new List<bool>();
            for (var i = 0; i < 2; i++)
            {
                var status = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{Base + 4 + i}/patroni")).RootElement;
                states.Add(status.TryGetProperty("pause", out var pause) && pause.GetBoolean());
            }
            if (states.All(paused => paused == on)) return;
        }
        throw new TimeoutException($"Patroni's nodes did not report maintenance mode {(on ? "on" : "off")}");
    }

    /// <summary>A connection straight to one node's PostgreSQL (not through HAProxy).</summary>
    public static NpgsqlConnection Node(string node) =>
        new($"Host=127.0.0.1;Port={Base + (node == "node1" ? 2 : 3)};Username=postgres;Database=spatialreadiness;Timeout=5;Pooling=false");

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    private static void KillPid(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
            process.WaitForExit(10_000);
        }
        catch (ArgumentException) { } // already gone
    }

    private static async Task<string> RunAsync(TimeSpan timeout, string file, string[] arguments, IReadOnlyDictionary<string, string>? environment = null, bool mayFail = false)
    {
        var start = new ProcessStartInfo(file == "dotnet" ? "dotnet" : Path.Combine(Root, file))
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try { await process.WaitForExitAsync(cancel.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} took longer than {timeout}: {await errors}");
        }
        if (process.ExitCode != 0 && !mayFail) throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed: {await output} {await errors}");
        return await output;
    }

    private static Task<string> RunAsync(TimeSpan timeout, string file, params string[] arguments) => RunAsync(timeout, file, arguments, null);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SpatialReadiness.sln"))) return dir.FullName;
        throw new InvalidOperationException("SpatialReadiness.sln not found above " + AppContext.BaseDirectory);
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
