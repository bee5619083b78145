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
        var start = new ProcessStartInfo("/usr/bin/python3");
        foreach (var argument in new[] { script, new Uri(server, "/ogc").ToString(), collection }.Concat(new[] { minX, minY, maxX, maxY }.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))))
            start.ArgumentList.Add(argument);
        start.Environment["QT_QPA_PLATFORM"] = "offscreen";
        var output = await ClientProcess.RunAsync(start, $"QGIS read_oapif.py {collection} failed (is python3-qgis installed? tools/setup installs it)");
        return JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement.Clone();
    }

    /// <summary>
    /// tests/clients/qgis/render_styles.py: each layer's MapLibre style converted by QGIS's importer and its vector
    /// tiles rendered over the lon/lat box, with and without labels; pixels near each colour counted. Keyed by kind.
    /// </summary>
    public static async Task<JsonElement> RenderStylesAsync(Uri server, string outDirectory, double[] box, params (string Kind, long Layer, string[] Colours)[] layers)
    {
        var script = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../clients/qgis/render_styles.py"));
        var start = new ProcessStartInfo("/usr/bin/python3");
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(server.ToString());
        start.ArgumentList.Add(outDirectory);
        foreach (var v in box) start.ArgumentList.Add(v.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (kind, layer, colours) in layers) start.ArgumentList.Add($"{kind}:{layer}:{string.Join(',', colours)}");
        start.Environment["QT_QPA_PLATFORM"] = "offscreen";
        var output = await ClientProcess.RunAsync(start, "QGIS render_styles.py failed (is python3-qgis installed? tools/setup installs it)");
        return JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement.Clone();
    }
}
