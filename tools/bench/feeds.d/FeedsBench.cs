#:package Npgsql
// Feed benchmark client (tools/bench/feeds): reads the same rows (one layer, in id order) three ways in one run and
// prints rows/s for each: (1) a plain Npgsql read of id, attributes and ST_AsGeoJSON(geom), the floor; (2) the OData
// feed with geometry as GeoJSON text and (3) as WKT, following @odata.nextLink; (4) the OGC API items, following
// rel=next links (when the server offers /ogc).
// Usage: dotnet run FeedsBench.cs -- <connection string> <server base URL> <layer id> <city> <layer name>
using System.Diagnostics;
using System.Text.Json;
using Npgsql;

var (connection, server, layerId, city, layerName) = (args[0], args[1].TrimEnd('/'), long.Parse(args[2]), args[3], args[4]);
using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };

await using var data = NpgsqlDataSource.Create(connection);
async Task<long> ReadFloor(long limit)
{
    await using var command = data.CreateCommand("SELECT id, attributes::text, ST_AsGeoJSON(geom, 7) FROM features WHERE layer_id = $1 ORDER BY id LIMIT $2");
    command.Parameters.Add(new() { Value = layerId });
    command.Parameters.Add(new() { Value = limit });
    await using var reader = await command.ExecuteReaderAsync();
    long rows = 0, bytes = 0;
    while (await reader.ReadAsync()) { rows++; bytes += reader.GetString(1).Length + (reader.IsDBNull(2) ? 0 : reader.GetString(2).Length); }
    return rows;
}
// Every read runs once untimed, whole, before the timed run: the freshly started server and this client reach their
// steady state (tiered JIT with dynamic PGO kept compiling for the first few hundred pages, a third of the server's CPU)
// and the read measured first does not pay for the start-up of both.
await ReadFloor(long.MaxValue);
var floor = await Measure("Npgsql read (floor)", () => ReadFloor(long.MaxValue));
string ODataUrl(string geometry) => $"{server}/odata/Features?$filter=LayerId eq {layerId}&$select=Id,{geometry},asset_id,name,asset_type,ward_no";
var odataPage = (JsonElement page) => (page.GetProperty("value").GetArrayLength(), page.TryGetProperty("@odata.nextLink", out var next) ? next.GetString() : null);
var ogcPage = (JsonElement page) => (page.GetProperty("features").GetArrayLength(),
    page.GetProperty("links").EnumerateArray().Where(l => l.GetProperty("rel").GetString() == "next").Select(l => l.GetProperty("href").GetString()).FirstOrDefault());
foreach (var geometry in new[] { "GeoJson", "Wkt" }) await Follow(ODataUrl(geometry), odataPage);
(string Name, long Rows, double Seconds) OData(string geometry) => Measure($"OData /odata/Features, geometry as {geometry}", () => Follow(
    ODataUrl(geometry), odataPage)).Result;
var odataGeoJson = OData("GeoJson");
var odataWkt = OData("Wkt");
var ogcLanding = await http.GetAsync($"{server}/ogc");
(string Name, long Rows, double Seconds)? ogc = null;
if (ogcLanding.IsSuccessStatusCode)
{
    var collections = JsonDocument.Parse(await http.GetStringAsync($"{server}/ogc/collections")).RootElement.GetProperty("collections");
    var collection = collections.EnumerateArray().First(c => c.GetProperty("title").GetString()!.Contains(layerName, StringComparison.OrdinalIgnoreCase)
        || c.GetProperty("id").GetString()!.Contains(layerName, StringComparison.OrdinalIgnoreCase) && c.GetProperty("id").GetString()!.Contains(city, StringComparison.OrdinalIgnoreCase));
    var items = $"{server}/ogc/collections/{collection.GetProperty("id").GetString()}/items?limit=10000";
    await Follow(items, ogcPage);
    ogc = await Measure("OGC API items", () => Follow(items, ogcPage));
}

Console.WriteLine("| read | rows | s | rows/s | / floor |");
Console.WriteLine("|---|---:|---:|---:|---:|");
foreach (var (name, rows, seconds) in new[] { floor, odataGeoJson, odataWkt }.Concat(ogc is { } o ? [o] : []))
    Console.WriteLine($"| {name} | {rows} | {seconds:F1} | {rows / seconds:F0} | {rows / seconds / (floor.Rows / floor.Seconds):F2}x |");
if (ogc is null) Console.WriteLine("(no /ogc on this server: OGC API items not measured)");

async Task<long> Follow(string url, Func<JsonElement, (int Rows, string? Next)> read)
{
    long rows = 0;
    for (string? next = url; next is not null;)
    {
        await using var stream = await http.GetStreamAsync(next);
        using var page = await JsonDocument.ParseAsync(stream);
        var (count, link) = read(page.RootElement);
        rows += count;
        next = link;
    }
    return rows;
}

static async Task<(string Name, long Rows, double Seconds)> Measure(string name, Func<Task<long>> run)
{
    var clock = Stopwatch.StartNew();
    var rows = await run();
    return (name, rows, clock.Elapsed.TotalSeconds);
}
