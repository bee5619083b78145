using System.Diagnostics;

namespace SpatialReadiness.Server.Tests.Infrastructure;

/// <summary>Runs a real client program (QGIS's Python, node) to its end, at most two minutes, and returns what it printed.</summary>
public static class ClientProcess
{
    public static async Task<string> RunAsync(ProcessStartInfo start, string failure)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{failure}: {await output} {await errors}");
        return await output;
    }
}
