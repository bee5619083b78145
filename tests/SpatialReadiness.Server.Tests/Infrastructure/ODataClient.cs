using System.Diagnostics;
using System.Text.Json;

namespace SpatialReadiness.Server.Tests.Infrastructure;

/// <summary>
/// Apache Olingo's ts-odatajs under node (tests/clients/odata/read-all.js, installed by tools/setup): an OData client
/// we did not write, reading $metadata and following @odata.nextLink through every page of an entity set.
/// </summary>
public static class ODataClient
{
    public static async Task<JsonElement> ReadAllAsync(Uri server, string set, string query, int? maxPageSize = null)
    {
        var script = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../clients/odata/read-all.js"));
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(script)!, "node_modules/ts-odatajs/package.json")),
            "ts-odatajs is not installed: run tools/setup (it runs npm install in tests/clients/odata)");
        var start = new ProcessStartInfo("node");
        foreach (var argument in new[] { script, new Uri(server, "/odata/").ToString(), set, query }) start.ArgumentList.Add(argument);
        if (maxPageSize is not null) start.ArgumentList.Add(maxPageSize.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return JsonDocument.Parse(await ClientProcess.RunAsync(start, $"node read-all.js {set} failed")).RootElement;
    }
}
