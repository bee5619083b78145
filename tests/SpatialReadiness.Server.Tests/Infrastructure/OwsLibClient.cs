using System.Diagnostics;
using System.Text.Json;

namespace SpatialReadiness.Server.Tests.Infrastructure;

/// <summary>
/// OWSLib (Debian's python3-owslib, installed by tools/setup): tests/clients/owslib/query_oapif.py reads collections,
/// queryables and items with q=, filter= and OWSLib's POSTed cql=, as a Python script or notebook would.
/// </summary>
public static class OwsLibClient
{
    public static async Task<JsonElement> QueryAsync(Uri server, string collection, string q, string textField, string cql2Text)
    {
        var script = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../clients/owslib/query_oapif.py"));
        // Debian's python3, where python3-owslib lives (not whatever python3 is first on PATH).
        var start = new ProcessStartInfo("/usr/bin/python3");
        foreach (var argument in new[] { script, new Uri(server, "/ogc").ToString(), collection, q, textField, cql2Text }) start.ArgumentList.Add(argument);
        var output = await ClientProcess.RunAsync(start, $"OWSLib query_oapif.py {collection} failed (is python3-owslib installed? tools/setup installs it)");
        return JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement.Clone();
    }
}
