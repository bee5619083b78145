#:package Npgsql
// Feed benchmark client (tools/bench/feeds): reads every row of each given layer (in id order) four ways: (1) a plain
// Npgsql read of id, attributes and ST_AsGeoJSON(geom), the floor; (2) the OData feed with geometry as GeoJSON text and
// (3) as WKT, following @odata.nextLink; (4) the OGC API items, following rel=next links. Pages are read token by token
// as they arrive (PageReader), as the floor reads its rows, not built into documents. Every read runs once whole
// before any is timed (the same warm-up for all), then in interleaved rounds (floor, OData, OData, OGC, next layer,
// next round; every other round backwards), so a drift of the shared machine touches every column alike. For each read: rows/s and its ratio to the
// floor of the same round (median over rounds, with the range), and CPU per row of the server process, of the database
// (the whole PostgreSQL cluster) and of this client.
// Usage: dotnet run FeedsBench.cs -- <connection string> <server base URL> <server pid> <postmaster pid> <rounds> <layer id>:<label>:<field,field...> ...
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Npgsql;

var (connection, server, serverPid, postmasterPid, rounds) = (args[0], args[1].TrimEnd('/'), int.Parse(args[2]), int.Parse(args[3]), int.Parse(args[4]));
var layers = args[5..].Select(a => a.Split(':')).Select(p => (Id: long.Parse(p[0]), Label: p[1], Fields: p[2])).ToList();
using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
await using var data = NpgsqlDataSource.Create(connection);
var ticks = 1000.0 / 100; // ms per clock tick (USER_HZ is 100 on Linux)

var collections = JsonDocument.Parse(await http.GetStringAsync($"{server}/ogc/collections")).RootElement.GetProperty("collections").EnumerateArray()
    .Select(c => c.GetProperty("id").GetString()!).ToList();
var reads = new List<(string Layer, string Name, Func<Task<long>> Run)>();
foreach (var layer in layers)
{
    reads.Add((layer.Label, "Npgsql read (floor)", () => ReadFloor(layer.Id)));
    foreach (var geometry in new[] { "GeoJson", "Wkt" })
        reads.Add((layer.Label, $"OData /odata/Features, geometry as {geometry}",
            () => Follow($"{server}/odata/Features?$filter=LayerId eq {layer.Id}&$select=Id,{geometry},{layer.Fields}", "value")));
    var collection = collections.First(c => c == layer.Label.Replace("/", "__"));
    reads.Add((layer.Label, "OGC API items", () => Follow($"{server}/ogc/collections/{collection}/items?limit=10000", "features")));
}

Console.Error.WriteLine($"== warm-up: every read once, whole ({reads.Count} reads)");
foreach (var read in reads) await read.Run();
var results = reads.Select(_ => new List<(long Rows, double Seconds, double ServerMs, double DatabaseMs, double ClientMs)>()).ToList();
for (var round = 1; round <= rounds; round++)
{
    // Odd rounds read in order, even ones backwards: a drift of the machine during a round favours no read.
    foreach (var i in round % 2 == 1 ? Enumerable.Range(0, reads.Count) : Enumerable.Range(0, reads.Count).Reverse())
    {
        var (server0, database0, client0) = (CpuMs(serverPid), CpuMs(postmasterPid), Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds);
        var clock = Stopwatch.StartNew();
        var rows = await reads[i].Run();
        var seconds = clock.Elapsed.TotalSeconds;
        results[i].Add((rows, seconds, CpuMs(serverPid) - server0, CpuMs(postmasterPid) - database0, Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds - client0));
    }
    Console.Error.WriteLine($"   round {round} done (load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
}

Console.WriteLine($"Median over {rounds} interleaved rounds (min-max); the ratio to the floor is taken within each round. CPU per row in µs: the server process, the database (all of PostgreSQL), this client.");
Console.WriteLine();
Console.WriteLine("| layer | read | rows | rows/s | / floor | server µs/row | database µs/row | client µs/row |");
Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|");
for (var i = 0; i < reads.Count; i++)
{
    var floor = results[reads.FindIndex(r => r.Layer == reads[i].Layer)];
    var r = results[i];
    var ratios = r.Select((x, k) => x.Rows / x.Seconds / (floor[k].Rows / floor[k].Seconds)).ToList();
    string PerRow(Func<(long Rows, double Seconds, double ServerMs, double DatabaseMs, double ClientMs), double> ms) => Spread(r.Select(x => ms(x) * 1000 / x.Rows).ToList(), "F1");
    Console.WriteLine($"| {reads[i].Layer} | {reads[i].Name} | {r[0].Rows} | {Spread(r.Select(x => x.Rows / x.Seconds).ToList(), "F0")} | {Spread(ratios, "F2", "x")} "
        + $"| {PerRow(x => x.ServerMs)} | {PerRow(x => x.DatabaseMs)} | {PerRow(x => x.ClientMs)} |");
}

async Task<long> ReadFloor(long layerId)
{
    await using var command = data.CreateCommand("SELECT id, attributes::text, ST_AsGeoJSON(geom, 7) FROM features WHERE layer_id = $1 ORDER BY id");
    command.Parameters.Add(new() { Value = layerId });
    await using var reader = await command.ExecuteReaderAsync();
    long rows = 0, chars = 0;
    while (await reader.ReadAsync()) { rows++; chars += reader.GetString(1).Length + (reader.IsDBNull(2) ? 0 : reader.GetString(2).Length); }
    return rows;
}

async Task<long> Follow(string url, string rowsMember)
{
    long rows = 0;
    for (string? next = url; next is not null;)
    {
        await using var stream = await http.GetStreamAsync(next);
        var page = await PageReader.ReadAsync(stream, rowsMember);
        rows += page.Rows;
        next = page.Next;
    }
    return rows;
}

// CPU milliseconds of a process and its descendants (and the children they have waited for).
double CpuMs(int root)
{
    var parents = new Dictionary<int, int>();
    var times = new Dictionary<int, long>();
    foreach (var dir in Directory.EnumerateDirectories("/proc"))
    {
        if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
        string stat;
        try { stat = File.ReadAllText(Path.Combine(dir, "stat")); } catch (IOException) { continue; } catch (UnauthorizedAccessException) { continue; }
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
        times[pid] = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)
                     + long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
    }
    long total = 0;
    foreach (var (pid, time) in times)
        for (var p = pid; p > 1 && parents.ContainsKey(p); p = parents[p])
            if (p == root) { total += time; break; }
    return total * ticks;
}

static string Spread(List<double> values, string format, string unit = "")
{
    var sorted = values.Order().ToList();
    var median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    string F(double v) => v.ToString(format, CultureInfo.InvariantCulture) + unit;
    return $"{F(median)} ({F(sorted[0])}-{F(sorted[^1])})";
}

/// <summary>
/// One page read the way the floor reads its rows: every byte is received and every JSON token read (Utf8JsonReader, as
/// it arrives), the rows of the page's array counted and its next link (OData's @odata.nextLink, OGC's link with
/// rel=next) kept, without building a document of it. A DOM of every coordinate (what JsonDocument built before) cost
/// this client twice the CPU per row for GeoJSON coordinates as for OData's geometry text, on the same two cores the
/// server and PostgreSQL share, while the floor's client parses no geometry at all.
/// </summary>
sealed class PageReader(string rowsMember)
{
    public int Rows { get; private set; }
    public string? Next { get; private set; }
    private string? _member, _linkMember, _href, _rel;

    public static async Task<PageReader> ReadAsync(Stream stream, string rowsMember)
    {
        var page = new PageReader(rowsMember);
        var buffer = new byte[1 << 16];
        var (length, state, final) = (0, new JsonReaderState(), false);
        while (!final)
        {
            if (length == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2); // one token longer than the buffer
            var read = await stream.ReadAsync(buffer.AsMemory(length));
            final = read == 0;
            length += read;
            var consumed = page.Read(buffer.AsSpan(0, length), final, ref state);
            buffer.AsSpan(consumed, length - consumed).CopyTo(buffer);
            length -= consumed;
        }
        return page;
    }

    private int Read(ReadOnlySpan<byte> bytes, bool final, ref JsonReaderState state)
    {
        var json = new Utf8JsonReader(bytes, final, state);
        while (json.Read())
        {
            var depth = json.CurrentDepth;
            switch (json.TokenType)
            {
                case JsonTokenType.PropertyName when depth == 1: _member = json.GetString(); break;
                case JsonTokenType.StartObject when depth == 2 && _member == rowsMember: Rows++; break;
                case JsonTokenType.String when depth == 1 && _member == "@odata.nextLink": Next = json.GetString(); break;
                case JsonTokenType.PropertyName when depth == 3 && _member == "links": _linkMember = json.GetString(); break;
                case JsonTokenType.String when depth == 3 && _member == "links" && _linkMember == "href": _href = json.GetString(); break;
                case JsonTokenType.String when depth == 3 && _member == "links" && _linkMember == "rel": _rel = json.GetString(); break;
                case JsonTokenType.EndObject when depth == 2 && _member == "links":
                    if (_rel == "next") Next = _href;
                    (_href, _rel) = (null, null);
                    break;
            }
        }
        state = json.CurrentState;
        return (int)json.BytesConsumed;
    }
}
