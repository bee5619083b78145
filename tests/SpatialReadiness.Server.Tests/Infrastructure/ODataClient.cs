using System.Diagnostics;
using System.Text.Json;

namespace SpatialReadiness.Server.Tests.Infrastructure;

/// <summary>
/// Apache Olingo's ts-odatajs under node (tests/clients/odata, installed by tools/setup): an OData client we did not
/// write. read-all.js reads $metadata and follows @odata.nextLink through every page of an entity set; read.js reads
/// $metadata through the library's CSDL parser and then each URL through its default handler (JSON or text).
/// </summary>
public static class ODataClient
{
    public static async Task<JsonElement> ReadAllAsync(Uri server, string set, string query, int? maxPageSize = null)
    {
        var start = Node("read-all.js", new Uri(server, "/odata/").ToString(), set, query);
        if (maxPageSize is not null) start.ArgumentList.Add(maxPageSize.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return JsonDocument.Parse(await ClientProcess.RunAsync(start, $"node read-all.js {set} failed")).RootElement;
    }

    /// <summary>
    /// {"types": {set: {property: "Edm.Type"}}, "results": [{"url", "data"} or {"url", "error"}]}: what the client made of
    /// $metadata and of each URL (relative to /odata/), signed in with <paramref name="apiKey"/> when given.
    /// </summary>
    public static async Task<JsonElement> ReadAsync(Uri server, IEnumerable<string> urls, string? apiKey = null)
    {
        var start = Node("read.js", [new Uri(server, "/odata/").ToString(), .. urls]);
        start.Environment["SR_API_KEY"] = apiKey ?? "";
        return JsonDocument.Parse(await ClientProcess.RunAsync(start, "node read.js failed")).RootElement;
    }

    /// <summary>The data the client read from <paramref name="url"/>, failing with the client's error if it could not.</summary>
    public static JsonElement Data(this JsonElement read, string url)
    {
        var result = read.GetProperty("results").EnumerateArray().Single(r => r.GetProperty("url").GetString() == url);
        Assert.True(result.TryGetProperty("data", out var data), $"{url}: {result}");
        return data;
    }

    public static string Error(this JsonElement read, string url) =>
        read.GetProperty("results").EnumerateArray().Single(r => r.GetProperty("url").GetString() == url).GetProperty("error").GetString()!;

    private static ProcessStartInfo Node(string script, params string[] arguments)
    {
        var path = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../clients/odata", script));
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(path)!, "node_modules/ts-odatajs/package.json")),
            "ts-odatajs is not installed: run tools/setup (it runs npm install in tests/clients/odata)");
        var start = new ProcessStartInfo("node");
        start.ArgumentList.Add(path);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        return start;
    }
}
