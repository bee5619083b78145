using System.Globalization;
using NetTopologySuite.Geometries;
using SpatialReadiness.Core.Tiles;
using SpatialReadiness.PostGis.Layers;
using SpatialReadiness.PostGis.Tiles;
using SpatialReadiness.Server.Tests.Infrastructure;
using SpatialReadiness.PostGis;
using SpatialReadiness.Server.Styles;

namespace SpatialReadiness.Server.Tests.Tiles;

/// <summary>
/// Density cells, what a dense layer's tiles draw up to z12 (docs/api/tiles.md). The Mumbai slums stand in for a dense
/// layer (a layer becomes dense at 100,000 features; importing that many here would take a minute): their tiles are
/// made by the real TileStore and PostGIS from a TileLayer told the layer is that large, and decoded with
/// NetTopologySuite's reader. Expected counts come from the stored shapes, counted here in .NET.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class DensityTileTests(ServerFixture server)
{
    private const double HalfWorld = 20037508.342789244;

    private async Task<(TileLayer Dense, TileLayer Plain, List<(double X, double Y)> Centres)> MumbaiAsDense(string city)
    {
        await server.Admin.CreateCityAsync(city);
        var id = (await server.Admin.UploadAsync(city, SharedData.Path("mumbai/slumClusters.geojson"), "slum", ("name", "slums")).CreatedLayerAsync()).GetProperty("id").GetInt64();
        var info = (await new LayerStore(server.Database.DataSource).GetLayerAsync(id))!;
        TileLayer Make(Core.Layers.LayerInfo view) => TileLayer.For(view, DrawnFields.Of(view).ByZoom, DrawnFields.Of(view).Labels);
        await using var command = server.Database.DataSource.CreateCommand(
            "SELECT (ST_XMin(geom_3857) + ST_XMax(geom_3857)) / 2, (ST_YMin(geom_3857) + ST_YMax(geom_3857)) / 2 FROM features WHERE layer_id = $1 AND NOT ST_IsEmpty(geom_3857)");
        command.Parameters.Add(new() { Value = id });
        var centres = new List<(double, double)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) centres.Add((reader.GetDouble(0), reader.GetDouble(1)));
        return (Make(info with { FeatureCount = TileLayer.DenseFromFeatures }), Make(info), centres);
    }

    /// <summary>The cell (64 a side of a tile at zoom z, numbered from the world's north-west corner) holding a web-mercator point.</summary>
    private static (long X, long Y) Cell(double x, double y, int z)
    {
        var size = 2 * HalfWorld / (64.0 * (1L << z));
        return ((long)Math.Floor((x + HalfWorld) / size), (long)Math.Floor((HalfWorld - y) / size));
    }

    private static (double X, double Y) Mercator(Coordinate lonLat) =>
        (lonLat.X * HalfWorld / 180, Math.Log(Math.Tan((90 + lonLat.Y) * Math.PI / 360)) * HalfWorld / Math.PI);

    [Theory]
    [InlineData(12)]
    [InlineData(10)]
    [InlineData(8)]
    public async Task Each_cell_counts_exactly_the_features_whose_box_centre_lies_in_it_and_every_feature_is_counted_once(int z)
    {
        var (dense, _, centres) = await MumbaiAsDense("density-z" + z.ToString(CultureInfo.InvariantCulture));
        var expected = centres.GroupBy(c => Cell(c.X, c.Y, z)).ToDictionary(g => g.Key, g => g.Count());
        var tiles = expected.Keys.Select(c => (X: (int)(c.X / 64), Y: (int)(c.Y / 64))).Distinct().ToList();
        var store = new TileStore(new ReplicaReads(server.Database.DataSource, null));

        var drawn = new Dictionary<(long, long), int>();
        foreach (var (x, y) in tiles)
        {
            var tile = VectorTiles.Decode((await store.GetTileAsync([dense], new TileAddress(z, x, y), default))!, z, x, y);
            var layer = Assert.Single(tile.Layers); // no footprints, no label points
            Assert.Equal("slums_density", layer.Name);
            foreach (var feature in layer.Features)
            {
                var square = Assert.IsType<Polygon>(feature.Geometry);
                Assert.Equal(5, square.NumPoints);
                var cell = Cell(Mercator(square.Centroid.Coordinate).X, Mercator(square.Centroid.Coordinate).Y, z);
                Assert.Equal((x, y), ((int)(cell.Item1 / 64), (int)(cell.Item2 / 64))); // a cell lies in its own tile
                Assert.False(drawn.ContainsKey(cell), $"cell {cell} drawn twice");
                drawn[cell] = Convert.ToInt32(feature.Attributes["features"], CultureInfo.InvariantCulture);
            }
        }

        Assert.Equal(centres.Count, drawn.Values.Sum());
        Assert.Equal(expected.OrderBy(e => e.Key).ToList(), drawn.OrderBy(e => e.Key).ToList());
    }

    [Theory]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    public async Task From_z13_a_dense_layer_draws_its_footprints_as_any_layer_does_with_every_field_from_z15(int z)
    {
        var (dense, plain, centres) = await MumbaiAsDense("density-z" + z.ToString(CultureInfo.InvariantCulture));
        var store = new TileStore(new ReplicaReads(server.Database.DataSource, null));
        var (x, y) = ((int)(Cell(centres[0].X, centres[0].Y, z).X / 64), (int)(Cell(centres[0].X, centres[0].Y, z).Y / 64));
        var address = new TileAddress(z, x, y);
        var denseTile = VectorTiles.Decode((await store.GetTileAsync([dense], address, default))!, z, x, y).Layers.Single(l => l.Name == "slums");
        var plainTile = VectorTiles.Decode((await store.GetTileAsync([plain], address, default))!, z, x, y).Layers.Single(l => l.Name == "slums");
        Assert.NotEmpty(plainTile.Features);
        Assert.Equal(plainTile.Features.Select(f => (f.Attributes["id"], f.Geometry.AsText())), denseTile.Features.Select(f => (f.Attributes["id"], f.Geometry.AsText())));
        var fields = denseTile.Features.SelectMany(f => f.Attributes.GetNames()).Distinct().Order().ToList();
        var drawn = DrawnFields.Of(dense.Info).ByZoom.Where(f => f.FromZoom <= z).Select(f => f.Field).Append("id").Order().ToList();
        Assert.Equal(z >= TileLayer.DenseAllFieldsFromZoom ? plainTile.Features.SelectMany(f => f.Attributes.GetNames()).Distinct().Order().ToList() : drawn, fields);
    }

    [Fact]
    public async Task A_new_version_of_the_layer_is_counted_again_and_the_old_cells_are_dropped()
    {
        var (dense, _, centres) = await MumbaiAsDense("density-versions");
        var store = new TileStore(new ReplicaReads(server.Database.DataSource, null));
        var (cx, cy) = Cell(centres[0].X, centres[0].Y, 6);
        var address = new TileAddress(6, (int)(cx / 64), (int)(cy / 64));
        int Total(byte[] mvt) => VectorTiles.Decode(mvt, 6, address.X, address.Y).Layers.Sum(l => l.Features.Sum(f => Convert.ToInt32(f.Attributes["features"], CultureInfo.InvariantCulture)));
        Assert.Equal(centres.Count, Total((await store.GetTileAsync([dense], address, default))!));

        // The next version keeps one slum in ten (the same layer, uploaded again).
        var all = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(SharedData.Path("mumbai/slumClusters.geojson")))!;
        var tenth = new System.Text.Json.Nodes.JsonArray(all["features"]!.AsArray().Where((_, i) => i % 10 == 0).Select(f => f!.DeepClone()).ToArray());
        all["features"] = tenth;
        await server.Admin.UploadAsync("density-versions", System.Text.Encoding.UTF8.GetBytes(all.ToJsonString()), "slumClusters.geojson", "slum", ("name", "slums")).CreatedLayerAsync();
        var next = (await new LayerStore(server.Database.DataSource).GetLayerAsync(dense.Info.Id))!;
        Assert.Equal(dense.Info.Version + 1, next.Version);
        var nextDense = TileLayer.For(next with { FeatureCount = TileLayer.DenseFromFeatures }, DrawnFields.Of(next).ByZoom, DrawnFields.Of(next).Labels);
        Assert.Equal(tenth.Count, Total((await store.GetTileAsync([nextDense], address, default))!));
        await using var versions = server.Database.DataSource.CreateCommand("SELECT array_agg(DISTINCT version) FROM tile_density WHERE layer_id = $1");
        versions.Parameters.Add(new() { Value = dense.Info.Id });
        Assert.Equal([next.Version], (int[])(await versions.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task The_style_draws_the_density_cells_and_TileJSON_lists_them_up_to_z12_and_the_footprints_from_z13()
    {
        var (dense, _, _) = await MumbaiAsDense("density-style");
        var other = dense.Info with { Kind = "other" };
        var style = StyleCatalog.BindToLayer(StyleCatalog.Template("other")!, other, "");
        Assert.Contains(style["layers"]!.AsArray(), l => (string?)l!["source-layer"] == "slums_density" && (int?)l["maxzoom"] == 13);
        Assert.DoesNotContain(DrawnFields.Of(other).ByZoom, f => f.Field == "features");

        var tileJson = SpatialReadiness.Server.Tiles.TileJson.Of("slums", "/tiles/1/{z}/{x}/{y}.mvt", [dense], 0, 16);
        var layers = ((IEnumerable<Dictionary<string, object?>>)tileJson["vector_layers"]!).ToDictionary(l => (string)l["id"]!);
        Assert.Equal((0, 12), ((int)layers["slums_density"]["minzoom"]!, (int)layers["slums_density"]["maxzoom"]!));
        Assert.Equal((13, 16), ((int)layers["slums"]["minzoom"]!, (int)layers["slums"]["maxzoom"]!));
    }
}
