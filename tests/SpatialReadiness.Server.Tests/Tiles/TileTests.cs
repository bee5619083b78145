using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using NetTopologySuite.Geometries;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Tiles;

[Collection(PostgisCollection.Name)]
public sealed class TileTests(ServerFixture server)
{
    private readonly HttpClient _client = server.Client;
    private readonly HttpClient _admin = server.Admin;

    private async Task<long> Import(string city, string file, string kind, string name)
    {
        if ((await _client.GetAsync($"/api/cities/{city}")).StatusCode == HttpStatusCode.NotFound) await _admin.CreateCityAsync(city);
        var id = (await _admin.UploadAsync(city, SharedData.Path(file), kind, ("name", name)).CreatedLayerAsync()).GetProperty("id").GetInt64();
        await StoredTileGeometryAsync(id);
        return id;
    }

    /// <summary>Waits for the server's background fill of the layer's stored tile geometry, so the tests below serve it.</summary>
    private async Task StoredTileGeometryAsync(long layerId)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (await server.Database.ScalarAsync<bool>("SELECT tile_geometry_pending FROM layers WHERE id = $1", layerId))
        {
            Assert.True(DateTime.UtcNow < deadline, $"layer {layerId}: the tile geometry fill did not finish in 2 minutes");
            await Task.Delay(100);
        }
    }

    private async Task<(double Lon, double Lat)> CentreOf(long layerId, string where = "true")
    {
        await using var command = server.Database.DataSource.CreateCommand(
            $"SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_PointOnSurface(geom) c FROM features WHERE layer_id = $1 AND ST_IsValid(geom) AND {where} ORDER BY id LIMIT 1) s");
        command.Parameters.Add(new() { Value = layerId });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetDouble(0), reader.GetDouble(1));
    }

    [Fact]
    public async Task A_Mumbai_slum_tile_holds_the_stored_features_with_their_ids_attributes_and_shapes()
    {
        var layer = await Import("tiles-mumbai", "mumbai/slumClusters.geojson", "slum", "slums");
        var (lon, lat) = await CentreOf(layer);
        var (z, x, y) = VectorTiles.TileOf(lon, lat, 14);

        var response = await _client.GetAsync($"/tiles/{layer}/{z}/{x}/{y}.mvt");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.mapbox-vector-tile", response.Content.Headers.ContentType?.MediaType);
        var tile = VectorTiles.Decode(await response.Content.ReadAsByteArrayAsync(), z, x, y);

        Assert.Equal(["slums", "slums_labels"], tile.Layers.Select(l => l.Name).Order());
        var mvtLayer = tile.Layers.Single(l => l.Name == "slums");
        // Every valid stored slum whose shape lies wholly inside the tile is there, with its polyno and (nearly) its area.
        await using var command = server.Database.DataSource.CreateCommand("""
            SELECT id, (attributes->>'polyno')::int, ST_Area(geom::geography) FROM features
            WHERE layer_id = $1 AND ST_IsValid(geom) AND ST_Area(geom::geography) > 2000
              AND ST_Within(geom_3857, ST_TileEnvelope($2, $3, $4))
            """);
        foreach (var v in new object[] { layer, z, x, y }) command.Parameters.Add(new() { Value = v });
        await using var reader = await command.ExecuteReaderAsync();
        var expected = 0;
        var decoded = mvtLayer.Features.ToDictionary(f => Convert.ToInt64(f.Attributes["id"]));
        while (await reader.ReadAsync())
        {
            expected++;
            Assert.True(decoded.TryGetValue(reader.GetInt64(0), out var feature), $"feature {reader.GetInt64(0)} missing from the tile");
            Assert.Equal(reader.GetInt32(1), Convert.ToInt32(feature!.Attributes["polyno"]));
            var decodedArea = AreaSquareMetres(feature.Geometry);
            Assert.InRange(decodedArea / reader.GetDouble(2), 0.95, 1.05);
        }
        Assert.True(expected > 0, "the test tile should hold whole slums");
    }

    [Theory]
    [InlineData("mumbai/slumClusters.geojson", "slum")] // small polygons, some of them invalid
    [InlineData("pune/pune-electoral-wards_2022.geojson", "ward")] // large polygons, cut by every tile they cross
    public async Task Tiles_made_from_stored_tile_geometry_hold_exactly_what_ST_AsMVTGeom_makes_at_every_zoom(string file, string kind)
    {
        var layer = await Import($"tiles-stored-{kind}", file, kind, kind + "s");
        var (lon, lat) = await CentreOf(layer);
        foreach (var zoom in new[] { 5, 6, 8, 10, 11, 12, 13, 14, 16 })
        {
            var (z, x, y) = VectorTiles.TileOf(lon, lat, zoom);
            Assert.True(await AssertServedAsPlainAsync(layer, z, x, y) > 0, $"zoom {z}: the test tile should hold features");
            await AssertServedAsPlainAsync(layer, z, x + 1, y); // features crossing into it, or lying just across its edge
            await AssertServedAsPlainAsync(layer, z, x, y + 1);
        }
    }

    [Fact]
    public async Task A_thin_shape_just_across_a_tile_edge_and_a_swapped_row_above_85_N_are_tiled_right()
    {
        // The z14 tile edge at x = 11553; the path runs north 0.1 m east of it, closer than the precision of PostGIS's
        // single-precision boxes, so it belongs to tile 11553 and reaches tile 11552 through its buffer only. The
        // swapped row (Kolkata as lat/lon) lies north of web mercator's square.
        var edge = 11553.0 / (1 << 14) * 360 - 180;
        string Ring(double west, double east, double south, double north) =>
            string.Create(CultureInfo.InvariantCulture, $"[[[{west},{south}],[{east},{south}],[{east},{north}],[{west},{north}],[{west},{south}]]]");
        var geoJson = string.Create(CultureInfo.InvariantCulture, $$$"""
            {"type":"FeatureCollection","features":[
             {"type":"Feature","properties":{"name":"path"},"geometry":{"type":"LineString","coordinates":[[{{{edge + 0.0000009}}},18.5200],[{{{edge + 0.0000009}}},18.5206]]}},
             {"type":"Feature","properties":{"name":"block"},"geometry":{"type":"Polygon","coordinates":{{{Ring(edge - 0.002, edge - 0.001, 18.5200, 18.5206)}}}}},
             {"type":"Feature","properties":{"name":"swapped"},"geometry":{"type":"Polygon","coordinates":{{{Ring(22.560, 22.570, 88.350, 88.360)}}}}}]}
            """);
        if ((await _client.GetAsync("/api/cities/tiles-edge")).StatusCode == HttpStatusCode.NotFound) await _admin.CreateCityAsync("tiles-edge");
        var layer = (await _admin.UploadAsync("tiles-edge", System.Text.Encoding.UTF8.GetBytes(geoJson), "edge.geojson", "other", ("name", "edge"))
            .CreatedLayerAsync()).GetProperty("id").GetInt64();
        await StoredTileGeometryAsync(layer);

        var (z, _, y) = VectorTiles.TileOf(edge, 18.5203, 14);
        Assert.Equal(1, await AssertServedAsPlainAsync(layer, z, 11553, y)); // the path
        Assert.Equal(2, await AssertServedAsPlainAsync(layer, z, 11552, y)); // the block, and the path through the buffer
        for (var zoom = 6; zoom <= 14; zoom++)
        {
            var (tz, tx, ty) = VectorTiles.TileOf(edge, 18.5203, zoom);
            await AssertServedAsPlainAsync(layer, tz, tx, ty);
        }
    }

    /// <summary>Asserts the served tile holds the same features, shaped alike, as plain ST_AsMVTGeom makes; returns how many.</summary>
    private async Task<int> AssertServedAsPlainAsync(long layer, int z, int x, int y)
    {
        var response = await _client.GetAsync($"/tiles/{layer}/{z}/{x}/{y}.mvt");
        Assert.True(response.IsSuccessStatusCode, $"tile {z}/{x}/{y}: {response.StatusCode}");
        var served = Features(VectorTiles.Decode(await response.Content.ReadAsByteArrayAsync(), z, x, y));
        var expected = Features(VectorTiles.Decode(await PlainTileAsync(layer, z, x, y), z, x, y));
        Assert.Equal(expected.Keys.Order(), served.Keys.Order());
        foreach (var (id, geometry) in expected)
            Assert.True(geometry.EqualsExact(served[id]), $"tile {z}/{x}/{y}: feature {id} is drawn differently from ST_AsMVTGeom's shape");
        return expected.Count;
    }

    /// <summary>The tile as ST_AsMVTGeom makes it for every feature, with no stored tile geometry (geometry and ids only).</summary>
    private async Task<byte[]> PlainTileAsync(long layer, int z, int x, int y)
    {
        await using var command = server.Database.DataSource.CreateCommand("""
            SELECT ST_AsMVT(t.*, 'plain', 4096, 'geom', 'fid') FROM (
                SELECT f.id AS fid, ST_AsMVTGeom(CASE WHEN $1 < 12 THEN ST_Simplify(f.geom_3857, $5, true) ELSE f.geom_3857 END,
                                                 ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom
                FROM features f WHERE f.layer_id = $4 AND f.geom_3857 && ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096)) t
            """);
        foreach (var v in new object[] { z, x, y, layer, 2 * 20037508.342789244 / (1L << z) / 4096 }) command.Parameters.Add(new() { Value = v });
        return await command.ExecuteScalarAsync() is byte[] tile ? tile : [];
    }

    private static Dictionary<long, Geometry> Features(NetTopologySuite.IO.VectorTiles.VectorTile tile) =>
        tile.Layers.Where(l => !l.Name.EndsWith("_labels", StringComparison.Ordinal)).SelectMany(l => l.Features).ToDictionary(f => Convert.ToInt64(f.Attributes["id"]), f => f.Geometry);

    [Fact]
    public async Task Below_zoom_12_a_tile_carries_only_the_fields_its_style_draws_with()
    {
        var wards = await Import("tiles-fields", "pune/pune-electoral-wards_2022.geojson", "ward", "wards");
        var slums = await Import("tiles-fields", "mumbai/slumClusters.geojson", "slum", "slums");

        async Task<IReadOnlyList<string[]>> FieldsAt(long layer, int zoom, string mvtLayer)
        {
            var (lon, lat) = await CentreOf(layer);
            var (z, x, y) = VectorTiles.TileOf(lon, lat, zoom);
            var tile = VectorTiles.Decode(await _client.GetByteArrayAsync($"/tiles/{layer}/{z}/{x}/{y}.mvt"), z, x, y);
            var features = tile.Layers.Single(l => l.Name == mvtLayer).Features;
            Assert.NotEmpty(features);
            return features.Select(f => f.Attributes.GetNames().Where(n => n != "id").Order().ToArray()).ToList();
        }

        // From zoom 12 every public field; below, none on the shapes: the labels read their own layer, which carries
        // the label's field at every zoom (the ward number; the slum name).
        Assert.All(await FieldsAt(wards, 12, "wards"), names => Assert.Equal(["Name1", "Name2", "origin", "wardnum"], names));
        Assert.All(await FieldsAt(wards, 10, "wards"), Assert.Empty);
        Assert.All(await FieldsAt(wards, 10, "wards_labels"), names => Assert.Equal(["wardnum"], names));
        Assert.All(await FieldsAt(wards, 6, "wards_labels"), names => Assert.Equal(["wardnum"], names));
        Assert.All(await FieldsAt(slums, 12, "slums"), names => Assert.Contains("polyno", names));
        Assert.All(await FieldsAt(slums, 11, "slums"), Assert.Empty);
        Assert.All(await FieldsAt(slums, 11, "slums_labels"), names => Assert.Single(names));
    }

    [Fact]
    public async Task A_ward_crossing_a_tile_border_is_in_both_tiles_with_the_same_id()
    {
        var layer = await Import("tiles-pune", "pune/pune-electoral-wards_2022.geojson", "ward", "wards");
        var (lon, lat) = await CentreOf(layer);
        var (z, x, y) = VectorTiles.TileOf(lon, lat, 14);
        var here = VectorTiles.Decode(await _client.GetByteArrayAsync($"/tiles/{layer}/{z}/{x}/{y}.mvt"), z, x, y);
        var east = VectorTiles.Decode(await _client.GetByteArrayAsync($"/tiles/{layer}/{z}/{x + 1}/{y}.mvt"), z, x + 1, y);

        var shared = here.Layers.Single(l => l.Name == "wards").Features.Select(f => f.Attributes["id"]).Intersect(east.Layers.Single(l => l.Name == "wards").Features.Select(f => f.Attributes["id"])).ToList();
        Assert.NotEmpty(shared);
        var id = shared[0];
        var left = here.Layers.Single(l => l.Name == "wards").Features.Single(f => Equals(f.Attributes["id"], id));
        var right = east.Layers.Single(l => l.Name == "wards").Features.Single(f => Equals(f.Attributes["id"], id));
        Assert.Equal(left.Attributes["wardnum"], right.Attributes["wardnum"]);
        // With the 64-unit buffer the two pieces overlap across the border: no crack between tiles.
        Assert.True(left.Geometry.Buffer(1e-7).Intersects(right.Geometry));
    }

    [Fact]
    public async Task GDAL_reads_a_saved_tile()
    {
        var layer = await Import("tiles-gdal", "pune/pune-electoral-wards_2022.geojson", "ward", "wards");
        var (lon, lat) = await CentreOf(layer);
        var (z, x, y) = VectorTiles.TileOf(lon, lat, 12);
        var path = Path.Combine(Gdal.TempDirectory(), $"{y}.mvt");
        await File.WriteAllBytesAsync(path, await _client.GetByteArrayAsync($"/tiles/{layer}/{z}/{x}/{y}.mvt"));

        var output = Gdal.OgrInfo("-ro", "-al", "-so", "-oo", $"X={x}", "-oo", $"Y={y}", "-oo", $"Z={z}", path);
        Assert.Contains("Layer name: wards", output);
        Assert.Contains("wardnum: Integer", output);
        Assert.Matches(@"Feature Count: [1-9]", output);
    }

    [Fact]
    public async Task An_import_followed_at_once_by_a_tile_request_returns_the_new_data()
    {
        var layer = await Import("tiles-fresh", "jaipur/Jaipur_Wards.geojson", "ward", "wards");
        var (lon, lat) = await CentreOf(layer);
        var (z, x, y) = VectorTiles.TileOf(lon, lat, 12);
        var url = $"/tiles/{layer}/{z}/{x}/{y}.mvt";
        var before = await _client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        Assert.Equal(layer, await Import("tiles-fresh", "pune/pune-electoral-wards_2022.geojson", "ward", "wards")); // version 2: Pune, not Jaipur
        var after = await _client.GetAsync(url);

        Assert.Equal(HttpStatusCode.NoContent, after.StatusCode); // no Jaipur ward is left there
        Assert.NotEqual(before.Headers.ETag, after.Headers.ETag);
    }

    [Fact]
    public async Task Tiles_speak_HTTP_properly()
    {
        var layer = await Import("tiles-http", "jaipur/Jaipur_Wards.geojson", "ward", "wards");
        var (lon, lat) = await CentreOf(layer);
        var (z, x, y) = VectorTiles.TileOf(lon, lat, 13);
        var url = $"/tiles/{layer}/{z}/{x}/{y}.mvt";

        var first = await _client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.NotNull(first.Headers.ETag);
        Assert.Contains("no-cache", first.Headers.CacheControl!.ToString());

        using var conditional = new HttpRequestMessage(HttpMethod.Get, url);
        conditional.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await _client.SendAsync(conditional)).StatusCode);

        using var zipped = new HttpRequestMessage(HttpMethod.Get, url);
        zipped.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        var gz = await _client.SendAsync(zipped);
        Assert.Equal("gzip", Assert.Single(gz.Content.Headers.ContentEncoding));
        await using (var unzip = new System.IO.Compression.GZipStream(await gz.Content.ReadAsStreamAsync(), System.IO.Compression.CompressionMode.Decompress))
        using (var plain = new MemoryStream())
        {
            await unzip.CopyToAsync(plain);
            Assert.Equal(await first.Content.ReadAsByteArrayAsync(), plain.ToArray());
        }

        using var head = new HttpRequestMessage(HttpMethod.Head, url);
        var headResponse = await _client.SendAsync(head);
        Assert.Equal(HttpStatusCode.OK, headResponse.StatusCode);
        Assert.Equal((await first.Content.ReadAsByteArrayAsync()).Length, headResponse.Content.Headers.ContentLength);

        Assert.Equal(HttpStatusCode.NoContent, (await _client.GetAsync($"/tiles/{layer}/14/0/0.mvt")).StatusCode); // mid-Pacific
        var tooDeep = await _client.GetAsync($"/tiles/{layer}/23/0/0.mvt");
        Assert.Equal(HttpStatusCode.NotFound, tooDeep.StatusCode);
        Assert.Contains("0-22", (await tooDeep.JsonAsync()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync($"/tiles/{layer}/12/abc/7.mvt")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync($"/tiles/{layer}/2/9/1.mvt")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/tiles/999999/1/0/0.mvt")).StatusCode);
    }

    [Fact]
    public async Task TileJSON_describes_the_layer_and_the_city()
    {
        var layer = await Import("tiles-json", "jaipur/Jaipur_Wards.geojson", "ward", "wards");
        await Import("tiles-json", "jaipur/Jaipur_Boundary.geojson", "boundary", "boundary");

        var json = await _client.GetJsonAsync($"/tiles/{layer}.json");
        Assert.Equal("3.0.0", json.GetProperty("tilejson").GetString());
        Assert.EndsWith($"/tiles/{layer}/{{z}}/{{x}}/{{y}}.mvt", json.GetProperty("tiles")[0].GetString());
        Assert.InRange(json.GetProperty("bounds")[0].GetDouble(), 75.6, 76.0);
        var vectorLayer = json.GetProperty("vector_layers")[0];
        Assert.Equal("wards", vectorLayer.GetProperty("id").GetString());
        // Typed as GDAL's MVT driver reads them: WARD_NO holds text in this file ("76"), OBJECTID numbers.
        Assert.Equal("String", vectorLayer.GetProperty("fields").GetProperty("WARD_NO").GetString());
        Assert.Equal("Number", vectorLayer.GetProperty("fields").GetProperty("OBJECTID").GetString());
        // Tiles stop adding detail at 16 (clients over-zoom), though deeper tiles are still served.
        Assert.Equal(16, json.GetProperty("maxzoom").GetInt32());
        Assert.Equal(16, vectorLayer.GetProperty("maxzoom").GetInt32());

        var city = await _client.GetJsonAsync("/tiles/city/tiles-json.json");
        Assert.Equal(["boundary", "wards", "wards_labels"], city.GetProperty("vector_layers").EnumerateArray().Select(l => l.GetProperty("id").GetString()));
        var (lon, lat) = (75.80, 26.90);
        var (z, x, y) = VectorTiles.TileOf(lon, lat, 12);
        var composite = VectorTiles.Decode(await _client.GetByteArrayAsync($"/tiles/city/tiles-json/{z}/{x}/{y}.mvt"), z, x, y);
        Assert.Equal(["boundary", "wards"], composite.Layers.Select(l => l.Name).Where(n => !n.EndsWith("_labels", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_sensitive_layer_is_not_served_as_tiles()
    {
        await _admin.CreateCityAsync("tiles-sensitive");
        var layer = await _admin.UploadAsync("tiles-sensitive", SharedData.Path("mumbai/slumClusters.geojson"), "slum", ("sensitive", "true")).CreatedLayerAsync();
        var id = layer.GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/tiles/{id}/12/2884/1814.mvt")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/tiles/{id}.json")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/tiles/city/tiles-sensitive/12/2884/1814.mvt")).StatusCode);
    }

    /// <summary>Area in m² of a lon/lat geometry, by a local equirectangular projection (good to ~0.1 % for a slum).</summary>
    private static double AreaSquareMetres(Geometry geometry)
    {
        var lat = geometry.Centroid.Y * Math.PI / 180;
        return geometry.Area * 111_320 * 111_320 * Math.Cos(lat);
    }
}
