using System.Diagnostics;

namespace SpatialReadiness.Server.Tests.Infrastructure;

/// <summary>The srd command as a user runs it: a separate process, pointed at the test database with SR_PG.</summary>
public static class SrdProcess
{
    public static Process Start(string connectionString, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["SR_PG"] = connectionString },
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "srd.dll"));
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
