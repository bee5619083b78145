using Npgsql;
using SpatialReadiness.Core.Tiles;
using SpatialReadiness.PostGis;
using SpatialReadiness.PostGis.Layers;
using SpatialReadiness.PostGis.Tiles;
using SpatialReadiness.Server.Tests.Infrastructure;
using SpatialReadiness.Server.Tests.Metrics;

namespace SpatialReadiness.Server.Tests.Tiles;

/// <summary>
/// An import commits without the stored tile geometry and fills it afterwards (0014c_deferred_tile_geometry.sql).
/// Tiles must be right before, during and after the fill, and hold the same features, shapes, attributes and labels,
/// so a tile cached at any moment stays right (only the order of features in the tile may differ, as the fill rewrites
/// rows, just as after any edit or VACUUM: the tile SQL has no ORDER BY); the fill must resume after a stop and finish
/// in the server's background.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class TileGeometryFillTests(ServerFixture server)
{
    private const int LockSpace = 20_014; // TileGeometryFill's advisory lock: holding it keeps the server's filler away
    private static readonly int[] Zooms = [6, 8, 10, 11, 12, 13, 14, 16];

    private async Task<long> ImportAsync(string city)
    {
        await server.Admin.CreateCityAsync(city);
        var layer = await server.Admin.UploadAsync(city, SharedData.Path("mumbai/slumClusters.geojson"), "slum", ("name", "slums")).CreatedLayerAsync();
        return layer.GetProperty("id").GetInt64();
    }

    /// <summary>Holds the layer's fill lock (waiting out a fill the server began) and puts every feature back to pending.</summary>
    private async Task<NpgsqlConnection> HoldAsPendingAsync(long layer)
    {
        var session = await server.Database.DataSource.OpenConnectionAsync();
        await Execute(session, "SELECT pg_advisory_lock($1, $2::integer)", LockSpace, layer);
        await Execute(session, $"UPDATE features SET {string.Join(", ", Enumerable.Range(6, 9).Select(z => $"tile_z{z} = NULL"))}, tile_pending = true WHERE layer_id = $1", layer);
        await Execute(session, "UPDATE layers SET tile_geometry_pending = true WHERE id = $1", layer);
        return session;
    }

    /// <summary>Everything a reader of the tile sees, in a canonical order: per MVT layer, per feature id, its shape and attributes.</summary>
    private static string Content(byte[] tile, TileAddress at) => string.Join("\n",
        VectorTiles.Decode(tile, at.Z, at.X, at.Y).Layers.OrderBy(l => l.Name, StringComparer.Ordinal).SelectMany(l => l.Features
            .Select(f => $"{l.Name} {f.Geometry.AsText()} {string.Join(";", f.Attributes.GetNames().Order(StringComparer.Ordinal).Select(n => $"{n}={f.Attributes[n]}"))}")
            .Order(StringComparer.Ordinal)));

    [Fact]
    public async Task Tiles_before_during_and_after_the_fill_are_the_same_bytes_and_match_plain_ST_AsMVTGeom()
    {
        var layer = await ImportAsync("fill-tiles");
        await using var session = await HoldAsPendingAsync(layer);
        var info = (await new LayerStore(server.Database.DataSource).GetLayerAsync(layer))!;
        var tiles = new TileStore(new ReplicaReads(server.Database.DataSource, null));
        var source = TileLayer.For(info, [], ["slum_name"]);
        var addresses = await AddressesAsync(layer);

        async Task<List<string>> MakeAll()
        {
            var made = new List<string>();
            foreach (var address in addresses)
            {
                var tile = (await tiles.GetTileAsync([source], address, CancellationToken.None))!;
                var plain = await PlainTileAsync(layer, address);
                var (served, expected) = (Shapes(tile, address), Shapes(plain, address));
                Assert.Equal(expected.Keys.Order(), served.Keys.Order());
                foreach (var (id, shape) in expected)
                    Assert.True(shape.EqualsExact(served[id]), $"tile {address}: feature {id} is drawn differently from ST_AsMVTGeom's shape");
                made.Add(Content(tile, address));
            }
            return made;
        }

        Assert.Equal(0L, await Scalar(session, "SELECT count(*) FROM features WHERE layer_id = $1 AND tile_z14 IS NOT NULL", layer));
        var before = await MakeAll();
        var (first, last) = (await Scalar(session, "SELECT min(id) FROM features WHERE layer_id = $1", layer), await Scalar(session, "SELECT max(id) + 1 FROM features WHERE layer_id = $1", layer));
        var filledHalf = await Scalar(session, "SELECT fill_tile_geometry($1, $2, $3)", layer, first, (first + last) / 2);
        Assert.InRange(filledHalf, 1000, 1500); // half of the 2,542 slums
        Assert.True(await Scalar(session, "SELECT count(*) FROM features WHERE layer_id = $1 AND tile_z14 IS NOT NULL", layer) > 500);
        var during = await MakeAll();
        await Scalar(session, "SELECT fill_tile_geometry($1, $2, $3)", layer, (first + last) / 2, last);
        Assert.Equal(0L, await Scalar(session, "SELECT count(*) FROM features WHERE layer_id = $1 AND tile_pending", layer));
        var after = await MakeAll();

        for (var k = 0; k < addresses.Count; k++)
        {
            Assert.Equal(before[k], during[k]);
            Assert.Equal(before[k], after[k]);
        }
        Assert.True(before.Count(t => t.Contains("slums_labels", StringComparison.Ordinal)) >= addresses.Count / 3, "many test tiles should hold slums and their labels");
    }

    [Fact]
    public async Task A_fill_stopped_after_one_batch_is_finished_by_the_server_and_edits_make_their_own()
    {
        var layer = await ImportAsync("fill-resume");
        var first = 0L;
        await using (var session = await HoldAsPendingAsync(layer))
        {
            first = await Scalar(session, "SELECT min(id) FROM features WHERE layer_id = $1", layer);
            Assert.True(await Scalar(session, "SELECT fill_tile_geometry($1, $2, $3)", layer, first, first + 100) > 0); // then the "crash"
            await Execute(session, "SELECT pg_advisory_unlock($1, $2::integer)", LockSpace, layer);
        }

        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (await Scalar(null, "SELECT count(*) FROM layers WHERE id = $1 AND tile_geometry_pending", layer) > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the server's background fill did not finish the layer in 2 minutes");
            await Task.Delay(200);
        }
        Assert.Equal(0L, await Scalar(null, "SELECT count(*) FROM features WHERE layer_id = $1 AND tile_pending", layer));
        Assert.Equal(0L, await Scalar(null, $"SELECT count(*) FROM features WHERE layer_id = $1 AND ({StoredDiffers()})", layer));
        Assert.True(await Scalar(null, "SELECT count(*) FROM features WHERE layer_id = $1 AND tile_z14 IS NOT NULL", layer) > 2000);

        // An edit moves a slum 50 m north: its trigger makes its tile geometry as it is written.
        await Execute(null, "UPDATE features SET geom = ST_Translate(geom, 0, 0.00045) WHERE layer_id = $1 AND id = $2", layer, first);
        Assert.Equal(0L, await Scalar(null, $"SELECT count(*) FROM features WHERE layer_id = $1 AND ({StoredDiffers()})", layer));
    }

    [Fact]
    public async Task A_layer_whose_fill_keeps_failing_is_tried_again_less_and_less_often_served_live_meanwhile_and_holds_up_no_other_layer()
    {
        var failing = await ImportAsync("fill-failing");
        var other = await ImportAsync("fill-other"); // a later id: each round comes to it after the failing layer
        // A server process of its own, whose /metrics counts only its own filler's attempts.
        await using var process = await ServerProcess.StartAsync(server.Database.ConnectionString, Database.DefaultDataRoot());
        using var client = process.Client();
        long seen;
        await using (var failingSession = await HoldAsPendingAsync(failing))
        await using (var otherSession = await HoldAsPendingAsync(other))
        {
            // Every update of the failing layer's rows throws, as a geometry that makes the fill's statement throw would.
            var partition = await Text(failingSession, "SELECT tableoid::regclass::text FROM features WHERE layer_id = $1 LIMIT 1", failing);
            await Execute(failingSession, "CREATE FUNCTION refuse_tile_fill() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'this feature cannot be filled'; END $$");
            await Execute(failingSession, $"CREATE TRIGGER refuse_tile_fill BEFORE UPDATE ON {partition} FOR EACH ROW EXECUTE FUNCTION refuse_tile_fill()");
            seen = Failed(await MetricsTests.ScrapeAsync(client));
            await Execute(failingSession, "SELECT pg_advisory_unlock($1, $2::integer)", LockSpace, failing);
            await Execute(otherSession, "SELECT pg_advisory_unlock($1, $2::integer)", LockSpace, other);
        }
        try
        {
            // The process's failed fills, timed as /metrics shows them: 2 s apart, then 4, then 8 (not every 2 s).
            var failedAt = new List<DateTime>();
            for (var deadline = DateTime.UtcNow.AddSeconds(60); failedAt.Count < 4; await Task.Delay(100))
            {
                Assert.True(DateTime.UtcNow < deadline, $"only {failedAt.Count} failed fills in 60 s");
                var now = Failed(await MetricsTests.ScrapeAsync(client));
                for (; seen < now; seen++) failedAt.Add(DateTime.UtcNow);
            }
            // Expected 2, 4 and 8 s; the margins allow for a busy machine (and a try that found the other server filling).
            var gaps = failedAt.Zip(failedAt.Skip(1), (a, b) => (b - a).TotalSeconds).ToList();
            Assert.True(gaps[2] >= 5 && gaps[2] > gaps[0] * 1.5, $"the waits between failed fills should double: {string.Join(", ", gaps.Select(g => g.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))} s");

            for (var deadline = DateTime.UtcNow.AddMinutes(2); await Scalar(null, "SELECT count(*) FROM layers WHERE id = $1 AND tile_geometry_pending", other) > 0; await Task.Delay(500))
                Assert.True(DateTime.UtcNow < deadline, "the layer after the failing one was not filled in 2 minutes");
            Assert.Equal(1L, await Scalar(null, "SELECT count(*) FROM layers WHERE id = $1 AND tile_geometry_pending", failing));
            // Its tiles are made the live way: the shapes plain ST_AsMVTGeom makes.
            foreach (var address in (await AddressesAsync(failing)).Where(a => a.Z == 14))
            {
                var response = await server.Client.GetAsync($"/tiles/{failing}/{address.Z}/{address.X}/{address.Y}");
                var tile = response.StatusCode == System.Net.HttpStatusCode.OK ? await response.Content.ReadAsByteArrayAsync() : [];
                var (served, expected) = (Shapes(tile, address), Shapes(await PlainTileAsync(failing, address), address));
                Assert.Equal(expected.Keys.Order(), served.Keys.Order());
                foreach (var (id, shape) in expected) Assert.True(shape.EqualsExact(served[id]), $"tile {address}: feature {id} is drawn differently from ST_AsMVTGeom's shape");
            }
        }
        finally
        {
            await Execute(null, "DROP FUNCTION refuse_tile_fill() CASCADE");
        }
        // Once it can be filled, a later try fills it.
        for (var deadline = DateTime.UtcNow.AddMinutes(2); await Scalar(null, "SELECT count(*) FROM layers WHERE id = $1 AND tile_geometry_pending", failing) > 0; await Task.Delay(500))
            Assert.True(DateTime.UtcNow < deadline, "the layer was not filled within 2 minutes of its fill working again");
    }

    [Fact]
    public async Task The_log_of_a_failing_fill_names_the_layer_and_SQLSTATE_but_nothing_of_the_feature_that_failed()
    {
        // A sensitive-looking feature whose name and corner are canaries; the fill's error quotes both, as PostgreSQL's
        // messages (a geometry error, a check) may quote a row's values and coordinates.
        const string Canary = "Canary Shelter 7Q3ZK", CanaryLon = "72.8765432";
        var geoJson = $$$"""
            {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"{{{Canary}}}"},
             "geometry":{"type":"Polygon","coordinates":[[[{{{CanaryLon}}},19.0123],[72.8771,19.0123],[72.8771,19.0129],[{{{CanaryLon}}},19.0129],[{{{CanaryLon}}},19.0123]]]}}]}
            """;
        await server.Admin.CreateCityAsync("fill-canary");
        var layer = (await server.Admin.UploadAsync("fill-canary", System.Text.Encoding.UTF8.GetBytes(geoJson), "shelters.geojson", "other", ("name", "shelters"))
            .CreatedLayerAsync()).GetProperty("id").GetInt64();
        await using var process = await ServerProcess.StartAsync(server.Database.ConnectionString, Database.DefaultDataRoot());
        using var client = process.Client();
        await using (var session = await HoldAsPendingAsync(layer))
        {
            var partition = await Text(session, "SELECT tableoid::regclass::text FROM features WHERE layer_id = $1 LIMIT 1", layer);
            await Execute(session, """
                CREATE FUNCTION quote_and_refuse_tile_fill() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                    RAISE EXCEPTION 'feature % at % cannot be filled', NEW.attributes::text, ST_AsText(NEW.geom)
                        USING DETAIL = 'attributes ' || NEW.attributes::text, HINT = 'look at ' || ST_AsText(NEW.geom);
                END $$
                """);
            await Execute(session, $"CREATE TRIGGER quote_and_refuse_tile_fill BEFORE UPDATE ON {partition} FOR EACH ROW EXECUTE FUNCTION quote_and_refuse_tile_fill()");
            // The error the fill meets does carry both canaries.
            var error = await Assert.ThrowsAsync<PostgresException>(() => Execute(session, "SELECT fill_tile_geometry($1, 0, 9223372036854775807)", layer));
            Assert.Contains(Canary, error.MessageText, StringComparison.Ordinal);
            Assert.Contains(CanaryLon, error.MessageText, StringComparison.Ordinal);
            await Execute(session, "SELECT pg_advisory_unlock($1, $2::integer)", LockSpace, layer);
        }
        try
        {
            var failure = $"tile geometry fill of layer {layer} failed";
            for (var deadline = DateTime.UtcNow.AddSeconds(60); !process.Output.Contains(failure, StringComparison.Ordinal); await Task.Delay(200))
                Assert.True(DateTime.UtcNow < deadline, "the server process logged no failed fill of the layer in 60 s:\n" + process.Output);
            Assert.True(Failed(await MetricsTests.ScrapeAsync(client)) >= 1);
            var log = process.Output;
            Assert.DoesNotContain(Canary, log, StringComparison.Ordinal);
            Assert.DoesNotContain("7Q3ZK", log, StringComparison.Ordinal);
            Assert.DoesNotContain(CanaryLon, log, StringComparison.Ordinal);
            Assert.Contains("PostgresException SQLSTATE P0001", log, StringComparison.Ordinal); // what an operator needs: the layer, the kind of error, the next try
        }
        finally
        {
            await Execute(null, "DROP FUNCTION quote_and_refuse_tile_fill() CASCADE");
        }
    }

    [Fact]
    public async Task A_fill_failing_outside_the_database_is_counted_and_tried_again_and_the_server_keeps_serving()
    {
        var layer = await ImportAsync("fill-unreadable");
        var (lon, lat) = await PointOfAsync(layer);
        var (_, x, y) = VectorTiles.TileOf(lon, lat, 14);
        await using var process = await ServerProcess.StartAsync(server.Database.ConnectionString, Database.DefaultDataRoot());
        using var client = process.Client();
        long seen;
        await using (var session = await HoldAsPendingAsync(layer))
        {
            // fill_tile_geometry of another shape than this server knows (as a newer schema might have it): its answer is
            // numeric, which the server cannot read as the count it expects: an InvalidCastException in .NET, no
            // database error. It fills nothing, so every try meets it.
            await Execute(session, "ALTER FUNCTION fill_tile_geometry(bigint, bigint, bigint) RENAME TO fill_tile_geometry_kept");
            await Execute(session, "CREATE FUNCTION fill_tile_geometry(layer bigint, first bigint, last bigint) RETURNS numeric LANGUAGE sql AS $$ SELECT 0::numeric $$");
            seen = Failed(await MetricsTests.ScrapeAsync(client));
            await Execute(session, "SELECT pg_advisory_unlock($1, $2::integer)", LockSpace, layer);
        }
        try
        {
            for (var deadline = DateTime.UtcNow.AddSeconds(60); ; await Task.Delay(200))
            {
                await Task.Delay(100); // a process stopping by itself has a moment to go before it is asked
                if (process.HasExited) Assert.Fail("the server process stopped: " + await process.OutputAfterExitAsync());
                if (Failed(await MetricsTests.ScrapeAsync(client)) >= seen + 2) break;
                Assert.True(DateTime.UtcNow < deadline, "the server process did not count two failed fills of the layer in 60 s:\n" + process.Output);
            }
            Assert.Contains($"tile geometry fill of layer {layer} failed unexpectedly", process.Output, StringComparison.Ordinal);
            Assert.Contains("InvalidCastException", process.Output, StringComparison.Ordinal);
            Assert.False(process.HasExited);
            Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
            var tile = await client.GetAsync($"/tiles/{layer}/14/{x}/{y}");
            Assert.Equal(System.Net.HttpStatusCode.OK, tile.StatusCode); // made the live way meanwhile
            Assert.Equal(1L, await Scalar(null, "SELECT count(*) FROM layers WHERE id = $1 AND tile_geometry_pending", layer));
        }
        finally
        {
            await Execute(null, "DROP FUNCTION fill_tile_geometry(bigint, bigint, bigint)");
            await Execute(null, "ALTER FUNCTION fill_tile_geometry_kept(bigint, bigint, bigint) RENAME TO fill_tile_geometry");
        }
        // Once its fill works again, a later try fills it.
        for (var deadline = DateTime.UtcNow.AddMinutes(2); await Scalar(null, "SELECT count(*) FROM layers WHERE id = $1 AND tile_geometry_pending", layer) > 0; await Task.Delay(500))
            Assert.True(DateTime.UtcNow < deadline, "the layer was not filled within 2 minutes of its fill working again");
        Assert.False(process.HasExited);
    }

    private async Task<(double Lon, double Lat)> PointOfAsync(long layer)
    {
        await using var command = server.Database.DataSource.CreateCommand(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM features WHERE layer_id = $1 AND ST_IsValid(geom) AND NOT ST_IsEmpty(geom) ORDER BY id LIMIT 1) s");
        command.Parameters.Add(new() { Value = layer });
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetDouble(0), reader.GetDouble(1));
    }

    private static long Failed(string scrape) => (long)MetricsTests.Sum(scrape, "sr_tiles_geometry_fills_total", "result=\"failed\"");

    private async Task<string> Text(NpgsqlConnection connection, string sql, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in parameters) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static string StoredDiffers() => string.Join(" OR ", Enumerable.Range(6, 9).Select(z =>
        $"tile_z{z} IS DISTINCT FROM CASE WHEN GeometryType(geom) NOT IN ('POINT', 'MULTIPOINT') THEN tile_geometry(geom, {z}) END"));

    /// <summary>Around three slums: the tile holding each at every test zoom, and its east and south neighbours.</summary>
    private async Task<List<TileAddress>> AddressesAsync(long layer)
    {
        await using var command = server.Database.DataSource.CreateCommand(
            "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_PointOnSurface(geom) c, row_number() OVER (ORDER BY id) n FROM features WHERE layer_id = $1 AND ST_IsValid(geom)) s WHERE n IN (1, 800, 1600)");
        command.Parameters.Add(new() { Value = layer });
        var addresses = new HashSet<TileAddress>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            foreach (var zoom in Zooms)
            {
                var (z, x, y) = VectorTiles.TileOf(reader.GetDouble(0), reader.GetDouble(1), zoom);
                addresses.UnionWith([new(z, x, y), new(z, x + 1, y), new(z, x, y + 1)]);
            }
        return addresses.ToList();
    }

    private async Task<byte[]> PlainTileAsync(long layer, TileAddress tile)
    {
        await using var command = server.Database.DataSource.CreateCommand("""
            SELECT ST_AsMVT(t.*, 'plain', 4096, 'geom', 'fid') FROM (
                SELECT f.id AS fid, ST_AsMVTGeom(CASE WHEN $1 < 12 THEN ST_Simplify(f.geom_3857, $5, true) ELSE f.geom_3857 END,
                                                 ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom
                FROM features f WHERE f.layer_id = $4 AND f.geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096)) t
            """);
        foreach (var v in new object[] { tile.Z, tile.X, tile.Y, layer, 2 * 20037508.342789244 / (1L << tile.Z) / 4096 }) command.Parameters.Add(new() { Value = v });
        return await command.ExecuteScalarAsync() is byte[] bytes ? bytes : [];
    }

    private static Dictionary<long, NetTopologySuite.Geometries.Geometry> Shapes(byte[] tile, TileAddress at) =>
        VectorTiles.Decode(tile, at.Z, at.X, at.Y).Layers.Where(l => !l.Name.EndsWith("_labels", StringComparison.Ordinal))
            .SelectMany(l => l.Features).ToDictionary(f => Convert.ToInt64(f.Attributes["id"]), f => f.Geometry);

    private async Task Execute(NpgsqlConnection? connection, string sql, params object[] parameters) => await Scalar(connection, sql, parameters);

    private async Task<long> Scalar(NpgsqlConnection? connection, string sql, params object[] parameters)
    {
        await using var owned = connection is null ? await server.Database.DataSource.OpenConnectionAsync() : null;
        await using var command = new NpgsqlCommand(sql, connection ?? owned);
        foreach (var value in parameters) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return await command.ExecuteScalarAsync() is { } result and not DBNull ? Convert.ToInt64(result) : 0;
    }
}
