using System.Diagnostics;

namespace SpatialReadiness.Server.Tests.Infrastructure;

/// <summary>The srd command as a user runs it: a separate process, pointed at the test database with SR_PG.</summary>
public static class SrdProcess
{
    /// <summary>srd.dll in the CLI project's own output (same configuration as the tests), with its own dependencies.</summary>
    private static string SrdDll
    {
        get
        {
            var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
            var configuration = testBin.Parent!.Name;
            var framework = testBin.Name;
            var repo = testBin;
            while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "SpatialReadiness.sln"))) repo = repo.Parent;
            var dll = Path.Combine(repo!.FullName, "src", "SpatialReadiness.Cli", "bin", configuration, framework, "srd.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("build the solution first: " + dll);
        }
    }

    public static Process Start(string connectionString, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["SR_PG"] = connectionString },
        };
        start.ArgumentList.Add(SrdDll);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        return Process.Start(start)!;
    }

    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string connectionString, params string[] arguments)
    {
        using var process = Start(connectionString, arguments);
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await errors);
    }
}
