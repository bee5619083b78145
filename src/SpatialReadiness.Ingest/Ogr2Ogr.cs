using System.Diagnostics;
using SpatialReadiness.Core.Ingest;

namespace SpatialReadiness.Ingest;

/// <summary>
/// GDAL's ogr2ogr (Debian gdal-bin), for the formats the native readers and writers do not cover. Every run is
/// bounded: at most <see cref="GdalLimits.MaxProcesses"/> at once in this process (anonymous callers a smaller share),
/// killed after <see cref="GdalLimits.Timeout"/>, and no value from a request is ever read by GDAL as an option
/// (<see cref="Value"/>). What GDAL prints on failure goes to <see cref="Log"/>, never to the client, who is told what
/// failed in words.
/// </summary>
public static class Ogr2Ogr
{
    /// <summary>The limits of this process's GDAL runs; the server sets them from its settings at start.</summary>
    public static GdalLimits Limits { get; set; } = new(Math.Max(2, Environment.ProcessorCount), 1, TimeSpan.FromMinutes(10));

    /// <summary>Receives GDAL's own error output of failed runs (the server logs it).</summary>
    public static Action<string>? Log { get; set; }

    private static readonly object Gate = new();
    private static int _running, _anonymousRunning;

    /// <summary>
    /// A value that came with a request (a sublayer, a name) as an argument: ogr2ogr reads any argument beginning with
    /// '-' as an option ("-sql", "-overwrite", "-oo"), so such a value is refused.
    /// </summary>
    public static string Value(string value, string what) =>
        value.StartsWith('-') || value.Contains('\0')
            ? throw new InputException(InputError.Malformed, $"{what} '{value.Replace("\0", "")}' may not begin with '-' or contain NUL (GDAL would read it as an option).")
            : value;

    /// <summary>
    /// Runs ogr2ogr; a failure is an <see cref="InputException"/> saying <paramref name="failure"/> and what GDAL's
    /// message means in words. A server without GDAL gets <paramref name="whenMissing"/>, which says what to do instead;
    /// too many runs at once, <see cref="GdalBusyException"/>.
    /// </summary>
    /// <param name="reserved">A slot taken beforehand with <see cref="Reserve"/> (before costly preparation); else one is taken here.</param>
    public static async Task RunAsync(IReadOnlyList<string> arguments, string whenMissing, string failure, IDisposable? reserved = null, CancellationToken cancellationToken = default)
    {
        using var slot = reserved is null ? Reserve(anonymous: false) : null;
        var start = new ProcessStartInfo("ogr2ogr") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InputException(InputError.UnsupportedFormat, whenMissing);
        }
        using (process)
        {
            var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
            var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Limits.Timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                await process.WaitForExitAsync(CancellationToken.None);
                cancellationToken.ThrowIfCancellationRequested();
                Log?.Invoke($"ogr2ogr killed after {Limits.Timeout.TotalSeconds:0} s: {string.Join(' ', arguments)}");
                throw new InputException(InputError.Unprocessable,
                    $"{failure}: GDAL did not finish within {Limits.Timeout.TotalSeconds:0} s (SR_GDAL_TIMEOUT_S) and was stopped.");
            }
            await Task.WhenAll(errors, output);
            if (process.ExitCode == 0) return;
            var message = (errors.Result + "\n" + output.Result).Trim();
            Log?.Invoke($"ogr2ogr exited with {process.ExitCode}: {message}");
            throw new InputException(InputError.Malformed, $"{failure}: {InWords(message)}");
        }
    }

    /// <summary>What GDAL's message means, without quoting it (it names server paths and whatever the file held).</summary>
    internal static string InWords(string message) =>
        message.Contains("Couldn't fetch requested layer", StringComparison.OrdinalIgnoreCase)
            ? "the file has no layer of that name (sublayer)."
        : message.Contains("Unable to open datasource", StringComparison.OrdinalIgnoreCase) || message.Contains("not recognized as", StringComparison.OrdinalIgnoreCase)
            ? "GDAL cannot open it as that format: the file is damaged or is not what its extension says."
        : message.Contains("Failed to transform", StringComparison.OrdinalIgnoreCase) || message.Contains("reprojection failed", StringComparison.OrdinalIgnoreCase)
            ? "some coordinates cannot be transformed to WGS 84 (EPSG:4326); check the file's CRS."
        : "GDAL stopped with an error (the details are in the server's log).";

    /// <summary>Takes one of the GDAL slots until disposed; <see cref="GdalBusyException"/> when none is free for this caller.</summary>
    public static IDisposable Reserve(bool anonymous)
    {
        var limits = Limits;
        lock (Gate)
        {
            if (_running >= limits.MaxProcesses)
                throw new GdalBusyException($"the server is running as many GDAL conversions as it allows ({limits.MaxProcesses}); try again shortly.", anonymousShare: false);
            if (anonymous && _anonymousRunning >= limits.AnonymousProcesses)
                throw new GdalBusyException($"the server is running as many GDAL conversions for anonymous readers as it allows ({limits.AnonymousProcesses}); try again shortly, or sign in.", anonymousShare: true);
            _running++;
            if (anonymous) _anonymousRunning++;
            return new Slot(anonymous);
        }
    }

    /// <summary>How many ogr2ogr processes run now (all callers, anonymous ones).</summary>
    public static (int All, int Anonymous) Running
    {
        get { lock (Gate) return (_running, _anonymousRunning); }
    }

    private sealed class Slot(bool anonymous) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 1) return;
            lock (Gate)
            {
                _running--;
                if (anonymous) _anonymousRunning--;
            }
        }
    }
}

/// <param name="MaxProcesses">ogr2ogr processes at once, for everyone.</param>
/// <param name="AnonymousProcesses">Of those, how many anonymous readers' downloads may hold: the smallest share.</param>
/// <param name="Timeout">After this a run is killed.</param>
public sealed record GdalLimits(int MaxProcesses, int AnonymousProcesses, TimeSpan Timeout);

/// <summary>
/// Every GDAL slot is taken (503), or the anonymous readers' share of them (429, as for the server's other heavy work),
/// each with Retry-After.
/// </summary>
public sealed class GdalBusyException(string message, bool anonymousShare) : Exception(message)
{
    public bool AnonymousShare { get; } = anonymousShare;

    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(10);
}
