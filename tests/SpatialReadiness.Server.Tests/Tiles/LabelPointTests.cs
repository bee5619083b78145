using System.Globalization;
using System.Net;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Tiles;

/// <summary>
/// Label points ("{layer}_labels": one point on each polygon's surface, in the one tile that holds it) and the tiles as
/// GDAL's MVT driver reads them through TileJSON.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class LabelPointTests(ServerFixture server)
{
    private async Task<long> Import(string city, string file, string kind)
    {
        await server.Admin.CreateCityAsync(city);
        return (await server.Admin.UploadAsync(city, SharedData.Path(file), kind, ("name", "wards")).CreatedLayerAsync()).GetProperty("id").GetInt64();
    }

    /// <summary>Every stored polygon of the layer: id and shape (lon/lat).</summary>
    private async Task<Dictionary<long, Geometry>> Polygons(long layer)
    {
        await using var command = server.Database.DataSource.CreateCommand(
            "SELECT id, ST_AsBinary(geom) FROM features WHERE layer_id = $1 AND GeometryType(geom) IN ('POLYGON', 'MULTIPOLYGON')");
        command.Parameters.Add(new() { Value = layer });
        var shapes = new Dictionary<long, Geometry>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) shapes[reader.GetInt64(0)] = new WKBReader().Read(reader.GetFieldValue<byte[]>(1));
        return shapes;
    }

    [Theory]
    [InlineData("pune/pune-electoral-wards_2022.geojson")]
    [InlineData("jaipur/Jaipur_Wards.geojson")]
    public async Task Each_ward_has_its_label_point_in_exactly_one_tile_at_z14_inside_the_ward(string file)
    {
        var layer = await Import("labels-" + Path.GetFileNameWithoutExtension(file).ToLowerInvariant().Replace('_', '-'), file, "ward");
        var wards = await Polygons(layer);
        var box = new Envelope();
        foreach (var ward in wards.Values) box.ExpandToInclude(ward.EnvelopeInternal);
        var (z, west, north) = VectorTiles.TileOf(box.MinX, box.MaxY, 14);
        var (_, east, south) = VectorTiles.TileOf(box.MaxX, box.MinY, 14);

        var seen = new Dictionary<long, List<(int X, int Y, Point Point)>>();
        for (var x = west; x <= east; x++)
            for (var y = north; y <= south; y++)
            {
                var response = await server.Client.GetAsync($"/tiles/{layer}/{z}/{x}/{y}.mvt");
                if (response.StatusCode == HttpStatusCode.NoContent) continue;
                var tile = VectorTiles.Decode(await response.Content.ReadAsByteArrayAsync(), z, x, y);
                foreach (var feature in tile.Layers.SingleOrDefault(l => l.Name == "wards_labels")?.Features ?? [])
                {
                    var id = Convert.ToInt64(feature.Attributes["id"], CultureInfo.InvariantCulture);
                    if (!seen.TryGetValue(id, out var places)) seen[id] = places = [];
                    places.Add((x, y, Assert.IsType<Point>(feature.Geometry)));
                }
            }

        Assert.Equal(wards.Keys.Order(), seen.Keys.Order());
        foreach (var (id, places) in seen)
        {
            var (x, y, point) = Assert.Single(places);
            // The point is in the ward (to the 1/4096 of a z14 tile it is rounded to: about 0.6 m) and in its own tile.
            Assert.True(wards[id].Distance(point) < 1e-5, $"ward {id}: label point {point} is {wards[id].Distance(point)}° outside it");
            Assert.True(TileBox(z, x, y).Covers(point.Coordinate), $"ward {id}: label point {point} lies outside tile {z}/{x}/{y}");
        }
    }

    /// <summary>The lon/lat box of an XYZ tile (edges included).</summary>
    private static Envelope TileBox(int z, int x, int y)
    {
        static double Lat(double row, int z) => Math.Atan(Math.Sinh(Math.PI * (1 - 2 * row / (1 << z)))) * 180 / Math.PI;
        return new Envelope(x * 360.0 / (1 << z) - 180, (x + 1) * 360.0 / (1 << z) - 180, Lat(y + 1, z), Lat(y, z));
    }

    [Fact]
    public async Task GDAL_reads_the_tiles_through_TileJSON_with_typed_columns_and_one_label_per_ward()
    {
        var layer = await Import("labels-gdal", "pune/pune-electoral-wards_2022.geojson", "ward");
        var wards = (await Polygons(layer)).Count;
        var tileJson = new Uri(server.BaseAddress, $"/tiles/{layer}.json").ToString();
        string OgrInfo(int zoom, string mvtLayer) => Gdal.OgrInfo("-ro", "-so", "-oo", $"METADATA_FILE={tileJson}", "-oo", "TILE_EXTENSION=mvt",
            $"MVT:{new Uri(server.BaseAddress, $"/tiles/{layer}/{zoom}")}", mvtLayer);

        // Columns typed from TileJSON's fields: wardnum holds numbers (GDAL: Real), the names text.
        var shapes = OgrInfo(12, "wards");
        Assert.Contains("wardnum: Real", shapes);
        Assert.Contains("Name1: String", shapes);
        var labels = OgrInfo(14, "wards_labels");
        Assert.Contains("wardnum: Real", labels);
        Assert.Contains($"Feature Count: {wards}", labels);
    }
}
