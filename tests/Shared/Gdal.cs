using System.Diagnostics;

namespace SpatialReadiness.TestData;

/// <summary>GDAL's ogr2ogr (Debian gdal-bin, installed by tools/setup) makes test inputs in other formats and CRSs.</summary>
public static class Gdal
{
    public static void Ogr2Ogr(params string[] arguments)
    {
        var start = new ProcessStartInfo("ogr2ogr") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"ogr2ogr {string.Join(' ', arguments)}: {errors}");
    }

    /// <summary>Runs ogrinfo and returns what it printed; fails on a non-zero exit or any ERROR line.</summary>
    public static string OgrInfo(params string[] arguments)
    {
        var start = new ProcessStartInfo("ogrinfo") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"ogrinfo {string.Join(' ', arguments)}: {errors.Result}");
        Assert.DoesNotContain("ERROR", errors.Result);
        return output + errors.Result;
    }

    public static string TempDirectory() =>
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "srd-test-" + Guid.NewGuid().ToString("N"))).FullName;
}
