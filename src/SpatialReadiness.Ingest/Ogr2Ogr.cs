using System.Diagnostics;
using SpatialReadiness.Core.Ingest;

namespace SpatialReadiness.Ingest;

/// <summary>GDAL's ogr2ogr (Debian gdal-bin), for the formats the native readers and writers do not cover.</summary>
public static class Ogr2Ogr
{
    /// <summary>
    /// Runs ogr2ogr and returns what it printed on error when it failed, or null when it succeeded; a server without
    /// GDAL gets an <see cref="InputException"/> with <paramref name="whenMissing"/>, which says what to do instead.
    /// </summary>
    public static string? Run(IEnumerable<string> arguments, string whenMissing)
    {
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
            var errors = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : errors.Result.Trim();
        }
    }
}
