using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Tiles;

/// <summary>
/// A layer whose version changes under the tile requests, as fast as PostgreSQL commits the changes: each change is what
/// an accepted edit commits (the feature rewritten, the layer's version one up with its layer_versions row, and
/// layer_changed), and stamps the feature with the new version, so a tile shows which version it was made from. Every
/// answer must be a tile made from the version its ETag names, or 503 with Retry-After when the layer kept changing
/// under every fresh look-up (TileEndpoints.Afresh); never a 500.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed partial class LayerChurnTileTests(ServerFixture server)
{
    private const string City = "tiles-churn";
    // Until a hundred versions, a 503 and a tile have happened (a few seconds alone; on a loaded machine the readers can
    // starve the writer: 61 versions in 8 s once), at most this long.
    private static readonly TimeSpan ChurnAtMost = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task Tiles_of_a_layer_changing_as_fast_as_it_can_carry_the_version_they_were_made_from_or_are_503_with_Retry_After()
    {
        const string GeoJson = """
            {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"stamped"},
             "geometry":{"type":"Polygon","coordinates":[[[73.8560,18.5200],[73.8570,18.5200],[73.8570,18.5206],[73.8560,18.5206],[73.8560,18.5200]]]}}]}
            """;
        await server.Admin.CreateCityAsync(City);
        var layer = (await server.Admin.UploadAsync(City, System.Text.Encoding.UTF8.GetBytes(GeoJson), "stamped.geojson", "other", ("name", "stamped"))
            .CreatedLayerAsync()).GetProperty("id").GetInt64();
        var committed = new ConcurrentDictionary<int, bool>();
        committed[await ChangeAsync(layer)] = true; // from here on every version's feature carries its version

        var tiles = new[] { 14, 13, 12 }.Select(z => VectorTiles.TileOf(73.8565, 18.5203, z)).ToArray();
        using var gzip = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.GZip }) { BaseAddress = server.BaseAddress };
        using var stop = new CancellationTokenSource(ChurnAtMost);
        int ok = 0, busy = 0;
        var churn = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested) committed[await ChangeAsync(layer)] = true;
        });
        var answers = new ConcurrentBag<(HttpStatusCode Status, int? Version, string? Problem)>();
        var readers = Enumerable.Range(0, 4).Select(reader => Task.Run(async () =>
        {
            for (var k = reader; !stop.IsCancellationRequested; k++)
            {
                var (z, x, y) = tiles[k / 4 % tiles.Length];
                // The layer's tiles and the city's (whose only layer it is), plain and gzipped.
                var path = k % 4 < 2 ? $"/tiles/{layer}/{z}/{x}/{y}.mvt" : $"/tiles/city/{City}/{z}/{x}/{y}.mvt";
                var response = await (k % 2 == 0 ? server.Client : gzip).GetAsync(path);
                answers.Add(await CheckAsync(response, layer, z, x, y));
                if (response.StatusCode == HttpStatusCode.OK) Interlocked.Increment(ref ok);
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable) Interlocked.Increment(ref busy);
                if (committed.Count > 100 && Volatile.Read(ref ok) > 0 && Volatile.Read(ref busy) > 0) stop.Cancel();
                await Task.Delay(1); // leave the writer room: four readers of cached tiles can take both cores
            }
        })).ToList();
        await Task.WhenAll([churn, .. readers]);

        var problems = answers.Where(a => a.Problem is not null).Select(a => a.Problem).Distinct().ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.All(answers.Where(a => a.Version is not null), a => Assert.True(committed.ContainsKey(a.Version!.Value), $"a tile is tagged with version {a.Version}, which was never committed"));
        (ok, busy) = (answers.Count(a => a.Status == HttpStatusCode.OK), answers.Count(a => a.Status == HttpStatusCode.ServiceUnavailable));
        var summary = $"{committed.Count} versions committed; {answers.Count} answers: {ok} tiles, {busy} 503";
        Assert.True(committed.Count > 100, "the layer hardly changed: " + summary);
        Assert.True(busy > 0, "no request met a layer changing under every look-up, so the 503 path went untried: " + summary);
        Assert.True(ok > 0, "no tile was made under the changes, so no ETag was checked against the tile's content: " + summary);
    }

    /// <summary>Nothing when the answer is a tile of the version its ETag names, or 503 to retry after 1 s; else what is wrong with it.</summary>
    private static async Task<(HttpStatusCode, int?, string?)> CheckAsync(HttpResponseMessage response, long layer, int z, int x, int y)
    {
        var where = $"tile {z}/{x}/{y}: {(int)response.StatusCode}";
        if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            var retryAfter = response.Headers.RetryAfter?.Delta;
            var type = response.Content.Headers.ContentType?.MediaType;
            return (response.StatusCode, null, retryAfter == TimeSpan.FromSeconds(1) && type == "application/problem+json" && response.Headers.ETag is null
                ? null : $"{where} with Retry-After {retryAfter}, {type}, ETag {response.Headers.ETag}");
        }
        if (response.StatusCode != HttpStatusCode.OK) return (response.StatusCode, null, $"{where}: {await response.Content.ReadAsStringAsync()}");
        var tag = LayerTag().Match(response.Headers.ETag?.Tag ?? "");
        if (!tag.Success || tag.Groups["layer"].Value != layer.ToString(CultureInfo.InvariantCulture)) return (response.StatusCode, null, $"{where} with ETag {response.Headers.ETag}");
        var version = int.Parse(tag.Groups["version"].Value, CultureInfo.InvariantCulture);
        var stamps = VectorTiles.Decode(await response.Content.ReadAsByteArrayAsync(), z, x, y).Layers.SelectMany(l => l.Features)
            .Select(f => f.Attributes.Exists("stamp") ? Convert.ToInt64(f.Attributes["stamp"], CultureInfo.InvariantCulture) : -1).Distinct().ToList();
        return (response.StatusCode, version, stamps.SequenceEqual([version]) ? null : $"{where} tagged version {version} holds the feature of version(s) {string.Join(", ", stamps)}");
    }

    /// <summary>What an accepted edit of the layer commits (FeatureWriter): its feature rewritten, the version one up, layer_changed; returns the version.</summary>
    private async Task<int> ChangeAsync(long layer)
    {
        await using var command = server.Database.DataSource.CreateCommand("""
            WITH layer AS (UPDATE layers SET version = version + 1, updated_at = now() WHERE id = $1 RETURNING id, version, city_id),
            history AS (
                INSERT INTO layer_versions (layer_id, version, licence, source_file, source_sha256, source_bytes, format, crs_received, feature_count, imported_by, organisation, change)
                SELECT v.layer_id, layer.version, v.licence, 'churn', v.source_sha256, v.source_bytes, 'contribution', v.crs_received, v.feature_count, v.imported_by, v.organisation, 'edit'
                FROM layer JOIN layer_versions v ON v.layer_id = layer.id AND v.version = layer.version - 1
            ),
            stamped AS (
                UPDATE features f SET attributes = f.attributes || jsonb_build_object('stamp', layer.version), version = f.version + 1
                FROM layer WHERE f.layer_id = layer.id
            )
            SELECT version, pg_notify('layer_changed', id || ' ' || city_id) FROM layer
            """);
        command.Parameters.Add(new() { Value = layer });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return reader.GetInt32(0);
    }

    [GeneratedRegex(@"^""[lc](?<layer>\d+)v(?<version>\d+)-")]
    private static partial Regex LayerTag();
}
