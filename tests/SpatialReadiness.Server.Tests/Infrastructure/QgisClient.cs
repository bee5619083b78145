using System.Diagnostics;
using System.Text.Json;

namespace SpatialReadiness.Server.Tests.Infrastructure;

/// <summary>
/// QGIS itself (Debian's python3-qgis with qgis-providers, installed by tools/setup): tests/clients/qgis/read_oapif.py
/// opens a collection with QGIS's OAPIF provider, as the desktop's "Add OGC API - Features layer" does.
/// </summary>
public static class QgisClient
{
    public static async Task<JsonElement> ReadOapifAsync(Uri server, string collection, double minX, double minY, double maxX, double maxY)
    {
        var script = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../clients/qgis/read_oapif.py"));
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { script, new Uri(server, "/ogc").ToString(), collection }.Concat(new[] { minX, minY, maxX, maxY }.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))))
            start.ArgumentList.Add(argument);
        start.Environment["QT_QPA_PLATFORM"] = "offscreen";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"QGIS read_oapif.py {collection} failed (is python3-qgis installed? tools/setup installs it): {await output} {await errors}");
        return JsonDocument.Parse((await output).Trim().Split('\n')[^1]).RootElement.Clone();
    }
}
