using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace SpatialReadiness.Server.Tests.Infrastructure;

/// <summary>
/// The server as it is deployed: a process of its own (SpatialReadiness.Server.dll from the server project's output),
/// on a loopback port the operating system gives it (it logs which), over the test database. For what an in-process host cannot show: a server killed
/// outright, or its /metrics undisturbed by other hosts of the test process (OpenTelemetry stops recording an
/// instrument when another meter of the same name is disposed, which every disposed test host does).
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task _reading;
    private readonly System.Text.StringBuilder _output = new();

    public Uri BaseAddress { get; private set; } = null!;

    private ServerProcess(Process process)
    {
        _process = process;
        _reading = Task.WhenAll(Collect(process.StandardOutput), Collect(process.StandardError));
    }

    /// <summary>What the process has written so far to its standard output and error (its log), line by line.</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    private async Task Collect(StreamReader stream)
    {
        while (await stream.ReadLineAsync() is { } line)
            lock (_output) _output.AppendLine(line);
    }

    public static async Task<ServerProcess> StartAsync(string connectionString, string dataRoot, params (string Name, string Value)[] settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["SR_PG"] = connectionString,
                ["SR_DATA"] = dataRoot,
                // Port 0 (over appsettings.json's 5080): a port picked here and bound later could be taken meanwhile by
                // another process, whose /health/live would then answer for this one while it exits, unable to bind.
                ["Urls"] = "http://127.0.0.1:0",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                // As the fixture's server: other tests' writes and failed sign-ins are counted in the same database.
                ["SR_WRITES_PER_USER"] = "100000",
                ["SR_LOGIN_PER_IP"] = "100000",
            },
        };
        foreach (var (name, value) in settings) start.Environment[name] = value;
        start.ArgumentList.Add(ServerDll);
        var server = new ServerProcess(Process.Start(start)!);
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            if (server._process.HasExited) throw new InvalidOperationException("the server exited: " + await server.OutputAfterExitAsync());
            if (ListeningOn().Match(server.Output) is not { Success: true } listening) continue;
            server.BaseAddress = new Uri($"http://127.0.0.1:{listening.Groups["port"].Value}/");
            using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
            try
            {
                if ((await http.GetAsync("/health/live")).StatusCode == HttpStatusCode.OK) return server;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
        }
        await server.DisposeAsync();
        throw new TimeoutException("the server did not answer /health/live within 60 s: " + server.Output);
    }

    /// <summary>Kestrel's line naming the address it bound (Microsoft.Hosting.Lifetime, logged at Information).</summary>
    [GeneratedRegex(@"Now listening on: http://127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex ListeningOn();

    public HttpClient Client(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        if (apiKey is not null) client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the process wrote, once it has exited and its output has been read to the end.</summary>
    public async Task<string> OutputAfterExitAsync()
    {
        await _process.WaitForExitAsync();
        await _reading;
        return $"exit code {_process.ExitCode}\n{Output}";
    }

    /// <summary>SIGKILL: the machine is gone, nothing of the process runs its shutdown.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill();
        _process.WaitForExit(10_000);
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _reading;
        _process.Dispose();
    }

    private static string ServerDll
    {
        get
        {
            var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
            var (configuration, framework) = (testBin.Parent!.Name, testBin.Name);
            var repo = testBin;
            while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "SpatialReadiness.sln"))) repo = repo.Parent;
            var dll = Path.Combine(repo!.FullName, "src", "SpatialReadiness.Server", "bin", configuration, framework, "SpatialReadiness.Server.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("build the solution first: " + dll);
        }
    }
}
