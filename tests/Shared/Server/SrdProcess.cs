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

    public static Process Start(string connectionString, params string[] arguments) => StartWithPath(connectionString, null, arguments);

    /// <param name="path">PATH for the process (null: inherit), to run srd on a machine without some tool.</param>
    public static Process StartWithPath(string connectionString, string? path, params string[] arguments) =>
        StartWith(connectionString, path is null ? new Dictionary<string, string>() : new() { ["PATH"] = path }, arguments);

    private static Process StartWith(string connectionString, IReadOnlyDictionary<string, string> environment, string[] arguments, bool input = false)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input,
            Environment = { ["SR_PG"] = connectionString },
        };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        start.ArgumentList.Add(SrdDll);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        return Process.Start(start)!;
    }

    public static Task<(int ExitCode, string Output, string Errors)> RunAsync(string connectionString, params string[] arguments) =>
        RunWithPathAsync(connectionString, null, arguments);

    public static Task<(int ExitCode, string Output, string Errors)> RunWithPathAsync(string connectionString, string? path, params string[] arguments) =>
        RunWithAsync(connectionString, path is null ? new Dictionary<string, string>() : new() { ["PATH"] = path }, null, arguments);

    /// <summary>srd with extra environment variables and, when <paramref name="input"/> is given, that text on its standard input.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunWithAsync(string connectionString, IReadOnlyDictionary<string, string> environment, string? input, params string[] arguments)
    {
        using var process = StartWith(connectionString, environment, arguments, input is not null);
        if (input is not null)
        {
            await process.StandardInput.WriteLineAsync(input);
            process.StandardInput.Close();
        }
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await errors);
    }
}
