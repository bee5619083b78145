using System.Globalization;
using System.Text;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Viewer;

/// <summary>
/// QGIS 3.22 imports the MapLibre styles (QgsMapBoxGlStyleConverter) and draws the vector tiles with them: labels
/// from the label points, and a colour per asset theme, checked by the pixels of the rendered map.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class QgisStyleTests(ServerFixture server)
{
    private const string City = "qgis-styles";
    private static readonly double[] Box = [73.84, 18.505, 73.87, 18.535];

    /// <summary>Asset themes with their style colours, each written as cities write them (case and wording vary).</summary>
    private static readonly (string Colour, string[] Values)[] Themes =
    [
        ("#d62728", ["Hospital", "dispensary", "CLINIC"]),
        ("#1f77b4", ["School", "anganwadi"]),
        ("#8c564b", ["Public Toilet", "toilet"]),
        ("#7f7f7f", ["solid_waste", "Garbage"]),
        ("#bcbd22", ["Street Light"]),
        ("#17becf", ["WATER TANK", "standpost"]),
        ("#2ca02c", ["Park", "garden"]),
        ("#9467bd", ["Bus Stop"]),
        ("#e377c2", ["ward_office"]),
        ("#555555", ["kiosk"]), // no theme: the "other" colour
    ];

    private async Task<long> Upload(byte[] content, string file, string kind, string name) =>
        (await server.Admin.UploadAsync(City, content, file, kind, ("name", name)).CreatedLayerAsync()).GetProperty("id").GetInt64();

    private static byte[] Assets()
    {
        var csv = new StringBuilder("asset_id,asset_type,name,ward_no,lon,lat\n");
        var random = new Random(15);
        var n = 0;
        foreach (var (_, values) in Themes)
            for (var i = 0; i < 24; i++, n++)
                csv.Append(CultureInfo.InvariantCulture, $"A{n},{values[i % values.Length]},asset {n},1,{Box[0] + 0.002 + random.NextDouble() * (Box[2] - Box[0] - 0.004):0.000000},{Box[1] + 0.002 + random.NextDouble() * (Box[3] - Box[1] - 0.004):0.000000}\n");
        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    private static byte[] Slums()
    {
        var features = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            double x = 73.845 + i % 3 * 0.009, y = 18.51 + i / 3 * 0.012, s = 0.004;
            var ring = string.Join(',', new[] { (x, y), (x + s, y), (x + s, y + s), (x, y + s), (x, y) }.Select(p => string.Create(CultureInfo.InvariantCulture, $"[{p.Item1},{p.Item2}]")));
            features.Add($$"""{"type":"Feature","properties":{"slum_id":"S{{i}}","slum_name":"Nagar {{i}}"},"geometry":{"type":"Polygon","coordinates":[[{{ring}}]]} }""");
        }
        return Encoding.UTF8.GetBytes($$"""{"type":"FeatureCollection","features":[{{string.Join(',', features)}}]}""");
    }

    [Fact]
    public async Task QGIS_converts_each_style_and_draws_labels_and_a_colour_per_asset_theme()
    {
        await server.Admin.CreateCityAsync(City);
        var wards = await Upload(await File.ReadAllBytesAsync(SharedData.Path("pune/pune-electoral-wards_2022.geojson")), "wards.geojson", "ward", "wards");
        var slums = await Upload(Slums(), "slums.geojson", "slum", "slums");
        var assets = await Upload(Assets(), "assets.csv", "asset", "assets");
        var boundary = await Upload(await File.ReadAllBytesAsync(SharedData.Path("pune/DERIVED_pune_city_boundary_union_of_electoral_wards_2022.geojson")), "boundary.geojson", "boundary", "boundary");

        const string WardLabel = "#1d3a63", WardLine = "#2f5d9e", SlumLabel = "#6b2a0c", SlumFill = "#f3c6ac" /* #e0702f at 0.4 over white */;
        var seen = await QgisClient.RenderStylesAsync(server.BaseAddress, Gdal.TempDirectory(), Box,
            ("ward", wards, [WardLabel, WardLine]), ("slum", slums, [SlumLabel, SlumFill]),
            ("asset", assets, [.. Themes.Select(t => t.Colour)]), ("boundary", boundary, ["#222222"]));

        foreach (var kind in new[] { "ward", "slum", "asset", "boundary" })
            // Nothing of the styles is dropped; only the font, which QGIS replaces with one it has.
            Assert.All(seen.GetProperty(kind).GetProperty("warnings").EnumerateArray(), w => Assert.Contains("Referenced font", w.GetString()));

        // Labels: the ward numbers and slum names, from the label-point layers; gone when labelling is off.
        foreach (var (kind, labelLayer, field, colour) in new[] { ("ward", "wards_labels", "\"wardnum\"", WardLabel), ("slum", "slums_labels", "\"slum_name\"", SlumLabel) })
        {
            var result = seen.GetProperty(kind);
            Assert.Equal([labelLayer], result.GetProperty("labelLayers").EnumerateArray().Select(l => l.GetString()));
            Assert.Equal([field], result.GetProperty("labelFields").EnumerateArray().Select(l => l.GetString()));
            Assert.True(result.GetProperty("pixels").GetProperty(colour).GetInt32() > 40, $"{kind}: too few label pixels in {result}");
            Assert.Equal(0, result.GetProperty("pixelsWithoutLabels").GetProperty(colour).GetInt32());
        }
        Assert.True(seen.GetProperty("ward").GetProperty("pixels").GetProperty(WardLine).GetInt32() > 1000);
        Assert.True(seen.GetProperty("slum").GetProperty("pixels").GetProperty(SlumFill).GetInt32() > 1000);
        // The box lies inside the city: the boundary style converts whole, though its line is off the picture.
        Assert.Equal(["boundary-land", "boundary-line"], seen.GetProperty("boundary").GetProperty("styles").EnumerateArray().Select(s => s.GetString()));

        // Every asset theme in its own colour (24 circles each, 5 px across: about 4 pixels of fill), whatever case the city wrote it in.
        var assetPixels = seen.GetProperty("asset").GetProperty("pixels");
        foreach (var (colour, values) in Themes)
            Assert.True(assetPixels.GetProperty(colour).GetInt32() > 24 * 2, $"assets {string.Join('/', values)}: {assetPixels.GetProperty(colour)} pixels of {colour}");
    }
}
