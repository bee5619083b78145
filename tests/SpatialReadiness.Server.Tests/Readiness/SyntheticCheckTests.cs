using System.Globalization;
using System.Net;
using System.Text;
using NetTopologySuite.Geometries;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.PostGis.Layers;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Readiness;

/// <summary>
/// Small hand-made cities for the defects real files do not show on demand: null island, swapped lat/lon, metres
/// presented as degrees, duplicate ids and records, blank attributes, low precision, a field map at import.
/// The city is a 2 x 2 km square at 75.80 E 20.90 N split into two wards (west "1", east "2").
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class SyntheticCheckTests(ServerFixture server)
{
    private const double West = 75.79, East = 75.81, South = 20.89, North = 20.91, Middle = 75.80;
    private readonly HttpClient _client = server.Admin;

    private static string Polygon(double w, double s, double e, double n) => string.Create(CultureInfo.InvariantCulture,
        $"{{\"type\":\"Polygon\",\"coordinates\":[[[{w},{s}],[{e},{s}],[{e},{n}],[{w},{n}],[{w},{s}]]]}}");

    private static byte[] Collection(params string[] features) =>
        Encoding.UTF8.GetBytes($"{{\"type\":\"FeatureCollection\",\"features\":[{string.Join(",", features)}]}}");

    private static string Feature(string geometry, string properties) => $"{{\"type\":\"Feature\",\"properties\":{properties},\"geometry\":{geometry}}}";

    private async Task CityWithWardsAsync(string city)
    {
        await _client.CreateCityAsync(city, "Squareville");
        await _client.UploadAsync(city, Collection(Feature(Polygon(West, South, East, North), "{\"name\":\"Squareville\"}")), "boundary.geojson", "boundary",
            ("name", "boundary")).CreatedLayerAsync();
        await _client.UploadAsync(city, Collection(
                Feature(Polygon(West, South, Middle, North), "{\"Ward No\":\"01\",\"Ward Name\":\"West\"}"),
                Feature(Polygon(Middle, South, East, North), "{\"Ward No\":\"2\",\"Ward Name\":\"East\"}")),
            "wards.geojson", "ward", ("name", "wards")).CreatedLayerAsync();
    }

    [Fact]
    public async Task Asset_points_at_null_island_swapped_duplicated_blank_and_imprecise_are_each_found_with_the_reason()
    {
        await CityWithWardsAsync("syn-assets");
        var csv = """
            asset_id,asset_type,name,ward_no,lon,lat
            A-1,school,Good school,1,75.795123,20.900456
            A-2,health,At null island,1,0,0
            A-3,toilet,Swapped,2,20.900789,75.805123
            A-4,park,Imprecise,2,75.8051,20.9004
            A-5,water,Original,2,75.806123,20.901456
            A-5,water,Original,2,75.806123,20.901456
            A-6,,Blank type,1,75.791123,20.895456
            A-6,bus stop,Same id elsewhere,7,75.792123,20.896456
            """;
        await _client.UploadAsync("syn-assets", Encoding.UTF8.GetBytes(csv), "assets.csv", "asset", ("name", "assets")).CreatedLayerAsync();
        await _client.RunCheckAsync("syn-assets");

        var outside = (await _client.FindingsAsync("syn-assets", "rule=OUTSIDE_CITY")).Features().ToDictionary(f => f.GetProperty("properties").GetProperty("feature").GetString()!, f => f.Detail());
        Assert.Equal(2, outside.Count);
        Assert.Equal("lies at null island (0, 0): its coordinates are missing or were written as zero", outside["A-2"]);
        Assert.Matches(@"^lies [\d.]+ km outside the city boundary; with latitude and longitude swapped it falls inside, at 75\.80512 E 20\.90079 N: the coordinates look swapped$", outside["A-3"]);

        var precision = (await _client.FindingsAsync("syn-assets", "rule=LOW_PRECISION&layer=assets")).Features().Select(Label).Order().ToArray();
        Assert.Equal(["A-2", "A-4"], precision);
        var duplicate = Assert.Single((await _client.FindingsAsync("syn-assets", "rule=DUPLICATE")).Features());
        Assert.Equal("A-5", Label(duplicate));
        Assert.Matches("^repeats feature \\d+: same geometry and same asset_type, name \\(2 copies\\)$", duplicate.Detail());
        var ids = (await _client.FindingsAsync("syn-assets", "rule=ID_NOT_UNIQUE")).Features().Select(f => f.Detail()).ToList();
        Assert.Equal(4, ids.Count); // both A-5 and both A-6
        Assert.Contains("asset_id \"A-6\" is shared by 2 features", ids);
        var missing = Assert.Single((await _client.FindingsAsync("syn-assets", "rule=ATTR_MISSING")).Features());
        Assert.Equal("has no value for asset_type", missing.Detail());
        var ward = Assert.Single((await _client.FindingsAsync("syn-assets", "rule=WARD_MISMATCH")).Features());
        Assert.Equal("its ward number says 7, but it lies in ward 01", ward.Detail()); // "01" and "1" are the same ward

        // Hand-computed: 8 features; OUTSIDE_CITY 2/8 = 25 % > 5 % -> 25 lost; GEOM 0; ATTR_MISSING 1/8 = 12.5 % > 10 % -> 15;
        // WARD_MISMATCH 1/8 = 12.5 % > 10 % -> 10; DUPLICATE 1/8 -> 5; ID 4/8 -> 5; LOW_PRECISION 2/8 -> 5. Lost 65 of 80.
        var assets = (await _client.ReadinessAsync("syn-assets")).Layer("assets");
        Assert.Equal(100.0 * (80 - 65) / 80, assets.GetProperty("quality").GetDouble(), 4);
    }

    [Fact]
    public async Task Lost_credit_is_linear_in_the_error_rate_below_the_tolerance()
    {
        await CityWithWardsAsync("syn-linear");
        var rows = new StringBuilder("asset_id,asset_type,ward_no,lon,lat\n");
        for (var i = 0; i < 40; i++)
            rows.Append(CultureInfo.InvariantCulture, $"B-{i},{(i == 0 ? "" : "school")},1,{75.791 + i * 0.0002:0.000000}1,{20.8905 + i * 0.0004:0.000000}7\n");
        await _client.UploadAsync("syn-linear", Encoding.UTF8.GetBytes(rows.ToString()), "schools.csv", "asset", ("name", "schools")).CreatedLayerAsync();
        await _client.RunCheckAsync("syn-linear");

        var missing = (await _client.ReadinessAsync("syn-linear")).Layer("schools").Rule("ATTR_MISSING");
        Assert.Equal(1, missing.GetProperty("offending").GetDouble());
        Assert.Equal(40, missing.GetProperty("population").GetDouble());
        Assert.Equal(15 * (1.0 / 40) / 0.10, missing.GetProperty("lost").GetDouble(), 9); // w x (e/n) / t = 3.75
    }

    [Fact]
    public async Task A_field_map_at_import_names_the_fields_aliases_cannot_guess()
    {
        await CityWithWardsAsync("syn-map");
        var slums = Collection(
            Feature(Polygon(75.792, 20.895, 75.793, 20.896), "{\"code\":\"S1\",\"label\":\"Bhim Nagar\",\"w\":\"1\",\"kind\":\"notified\",\"families\":120}"),
            Feature(Polygon(75.802, 20.895, 75.803, 20.896), "{\"code\":\"S2\",\"label\":\"Sant Nagar\",\"w\":\"2\",\"kind\":\"identified\",\"families\":80}"));

        var unmapped = await _client.UploadAsync("syn-map", slums, "slums.geojson", "slum", ("name", "slums")).CreatedLayerAsync();
        await _client.RunCheckAsync("syn-map");
        Assert.Equal(15, (await _client.ReadinessAsync("syn-map")).Layer("slums").Rule("ATTR_MISSING").GetProperty("lost").GetDouble());
        var absent = (await _client.FindingsAsync("syn-map", "rule=ATTR_MISSING")).Features().Select(f => f.Detail()).ToList();
        Assert.Contains(absent, d => d.StartsWith("the layer has no slum_id field (looked for slum_id, Slum_ID", StringComparison.Ordinal) && d.Contains("slum_id=YOUR_FIELD"));

        var bad = await _client.UploadAsync("syn-map", slums, "slums.geojson", "slum", ("name", "slums"), ("map", "slum_id=nope"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        Assert.Contains("the file has no field 'nope'", await bad.Content.ReadAsStringAsync());
        var unknown = await _client.UploadAsync("syn-map", slums, "slums.geojson", "slum", ("name", "slums"), ("map", "slumid=code"));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("not a field of the slum schema", await unknown.Content.ReadAsStringAsync());
        Assert.Equal(1, (await _client.GetJsonAsync($"/api/layers/{unmapped.GetProperty("id").GetInt64()}")).GetProperty("version").GetInt32()); // refused: nothing written

        var mapped = await _client.UploadAsync("syn-map", slums, "slums.geojson", "slum", ("name", "slums"),
            ("map", "slum_id=code, slum_name=label, ward_no=w, status=kind, households=families")).CreatedLayerAsync();
        Assert.Equal("families", mapped.GetProperty("fieldMap").GetProperty("households").GetString());
        await _client.RunCheckAsync("syn-map");
        var score = await _client.ReadinessAsync("syn-map");
        Assert.Equal(0, score.Layer("slums").Rule("ATTR_MISSING").GetProperty("lost").GetDouble());
        Assert.Equal(1, score.Item("A3").GetProperty("marks").GetDouble()); // a slum layer with a status field
        Assert.Empty((await _client.FindingsAsync("syn-map", "rule=WARD_MISMATCH")).Features());
    }

    [Fact]
    public async Task Web_mercator_metres_presented_as_lon_lat_are_stopped_at_the_gate_with_the_3857_hint()
    {
        await _client.CreateCityAsync("syn-3857", "Kanpur");
        // Kanpur (80.336 E, 26.456 N) in EPSG:3857 metres, in a GeoJSON file that claims nothing (so lon/lat).
        var file = Collection(Feature("{\"type\":\"Point\",\"coordinates\":[8943000.0,3055700.0]}", "{\"asset_id\":\"K-1\"}"));
        var response = await _client.UploadAsync("syn-3857", file, "kanpur.geojson", "asset");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadAsStringAsync();
        Assert.Contains("coordinates look like EPSG:3857 web-mercator metres: read as EPSG:3857 the point is 80.336 E 26.456 N; re-import with --crs EPSG:3857", problem);
        Assert.Empty((await _client.GetJsonAsync("/api/cities/syn-3857/layers")).EnumerateArray());
    }

    [Fact]
    public async Task A_stored_layer_lying_outside_India_scores_zero_at_the_gate_with_the_swap_hint()
    {
        await CityWithWardsAsync("syn-gate");
        // Layers can arrive by paths other than a file import (edits, contributions); the check gates them again.
        var store = new LayerStore(server.Database.DataSource);
        var factory = new GeometryFactory(new PrecisionModel(), 4326);
        var swapped = Enumerable.Range(0, 5).Select(i => new SourceFeature(i + 1, null, "{\"asset_id\":\"X\"}",
            factory.CreatePoint(new Coordinate(20.90 + i * 0.001, 75.80)))).ToList();
        await store.ImportAsync(new LayerImport("syn-gate", "edited", LayerKind.Asset, "Edited points", "CC0", "edit", new string('0', 64), 0, "test"),
            new EditedFeatures(swapped));
        await _client.RunCheckAsync("syn-gate");

        var layer = (await _client.ReadinessAsync("syn-gate")).Layer("edited");
        Assert.Equal(0, layer.GetProperty("quality").GetDouble());
        Assert.Equal("5 of 5 features lie outside India (centre of the layer 20.902, 75.800); latitude and longitude look swapped: read as lat/lon the centre is 75.800 E 20.902 N; re-import with --swap-xy (HTTP: swapXY=true)",
            layer.GetProperty("gate").GetString());
        Assert.Empty(layer.GetProperty("rules").EnumerateArray());
        var gate = Assert.Single((await _client.FindingsAsync("syn-gate", "severity=gate")).Features());
        Assert.Equal("GATE_OUTSIDE_INDIA", gate.GetProperty("properties").GetProperty("rule").GetString());
    }

    private static string Label(System.Text.Json.JsonElement finding) => finding.GetProperty("properties").GetProperty("feature").GetString()!;

    /// <summary>Features that arrive already in EPSG:4326 without a file (as an edit would), stored as given.</summary>
    private sealed class EditedFeatures(IReadOnlyList<SourceFeature> features) : IFeatureStream
    {
        public IEnumerable<SourceFeature> Features(CancellationToken cancellationToken) => features;

        public IngestSummary Finish()
        {
            var extent = new Envelope();
            foreach (var f in features) extent.ExpandToInclude(f.Geometry!.EnvelopeInternal);
            return new IngestSummary("edit", "EPSG:4326", features.Count, 0, extent, ["asset_id"]);
        }

        public void Dispose() { }
    }
}
