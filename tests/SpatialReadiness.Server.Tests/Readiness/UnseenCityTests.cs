using System.Net.Http.Json;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Readiness;

/// <summary>
/// The classes of defect real city files showed that the check had not seen (issue 14), each in a small file written
/// here: rings left open or with too few points (GeoJSON and KML), a ward missing from a 1..N series leaving a hole, a
/// sliver, tiny overlaps on a large ward layer, a declared exclusion zone, ward keys spelled many ways, a far outlier.
/// The city is a 2 x 2 km square at 75.79-75.81 E, 20.89-20.91 N; the wards a 3 x 2 grid: 1, 2, 3 in the south row,
/// 4, 6 and (missing) 5 in the north row.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class UnseenCityTests(ServerFixture server)
{
    private const double West = 75.79, East = 75.81, South = 20.89, North = 20.91, Mid = 20.90;
    private static readonly double[] Columns = [75.79, 75.797, 75.803, 75.81];
    private readonly HttpClient _client = server.Admin;

    /// <summary>Assert.Matches, with the whole value in the message.</summary>
    private static void Like(string pattern, string value) =>
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(value, pattern), $"'{value}' does not match {pattern}");

    private static string Ring(params (double X, double Y)[] points) =>
        "[" + string.Join(",", points.Select(p => string.Create(CultureInfo.InvariantCulture, $"[{p.X},{p.Y}]"))) + "]";

    private static string Box(double w, double s, double e, double n) =>
        "{\"type\":\"Polygon\",\"coordinates\":[" + Ring((w, s), (e, s), (e, n), (w, n), (w, s)) + "]}";

    private static string Feature(string geometry, object properties) =>
        $"{{\"type\":\"Feature\",\"properties\":{JsonSerializer.Serialize(properties)},\"geometry\":{geometry}}}";

    private static byte[] Collection(IEnumerable<string> features) =>
        Encoding.UTF8.GetBytes($"{{\"type\":\"FeatureCollection\",\"features\":[{string.Join(",", features)}]}}");

    private static string Ward(int number, double w, double s, double e, double n, string? written = null) =>
        Feature(Box(w, s, e, n), new Dictionary<string, string> { ["ward_no"] = written ?? number.ToString(CultureInfo.InvariantCulture), ["ward_name"] = "Ward " + number });

    private async Task CityAsync(string city)
    {
        await _client.CreateCityAsync(city, "Squareville");
        await _client.UploadAsync(city, Collection([Feature(Box(West, South, East, North), new { name = "Squareville" })]), "boundary.geojson", "boundary",
            ("name", "boundary")).CreatedLayerAsync();
    }

    [Fact]
    public async Task Rings_left_open_or_too_short_are_stored_counted_invalid_and_reported_with_the_reason()
    {
        await CityAsync("unseen-rings");
        var open = "{\"type\":\"Polygon\",\"coordinates\":[" + Ring((75.791, 20.891), (75.795, 20.891), (75.795, 20.895), (75.791, 20.895)) + "]}";
        var tooFew = "{\"type\":\"Polygon\",\"coordinates\":[" + Ring((75.801, 20.901), (75.802, 20.901)) + "]}";
        var noRing = "{\"type\":\"Polygon\",\"coordinates\":[[]]}";
        var layer = await _client.UploadAsync("unseen-rings", Collection([
                Feature(open, new { slum_id = "S-1" }), Feature(tooFew, new { slum_id = "S-2" }),
                Feature(Box(75.805, 20.905, 75.806, 20.906), new { slum_id = "S-3" }), Feature(noRing, new { slum_id = "S-4" })]),
            "slums.geojson", "slum", ("name", "slums")).CreatedLayerAsync();
        Assert.Equal(4, layer.GetProperty("featureCount").GetInt64());
        Assert.Equal(2, layer.GetProperty("invalidGeometryCount").GetInt64());

        var kml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <kml xmlns="http://www.opengis.net/kml/2.2"><Document>
            <Placemark><name>Open ward</name><Polygon><outerBoundaryIs><LinearRing><coordinates>
            75.791,20.891 75.795,20.891 75.795,20.895 75.791,20.895
            </coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
            <Placemark><name>Closed ward</name><Polygon><outerBoundaryIs><LinearRing><coordinates>
            75.801,20.901 75.805,20.901 75.805,20.905 75.801,20.901
            </coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
            </Document></kml>
            """;
        var kmlLayer = await _client.UploadAsync("unseen-rings", Encoding.UTF8.GetBytes(kml), "other.kml", "other", ("name", "kml")).CreatedLayerAsync();
        Assert.Equal(1, kmlLayer.GetProperty("invalidGeometryCount").GetInt64());

        await _client.RunCheckAsync("unseen-rings");
        var invalid = (await _client.FindingsAsync("unseen-rings", "rule=geom_invalid&layer=slums")).Features()
            .ToDictionary(f => f.GetProperty("properties").GetProperty("feature").GetString()!, f => f.Detail());
        Assert.Equal(["S-1", "S-2", "S-4"], invalid.Keys.Order().ToArray());
        Assert.Equal("as written in the file: ring not closed: closed by repeating its first vertex", invalid["S-1"]);
        Assert.Equal("as written in the file: ring not closed: closed by repeating its first vertex; ring with too few points (2; a ring needs 4 "
            + "with the last equal to the first): stored padded, it encloses no area; is not valid: Too few points in geometry component at 75.80100 E 20.90100 N",
            invalid["S-2"]);
        Assert.Contains("nothing usable was left: stored without geometry", invalid["S-4"]);
        var kmlFinding = Assert.Single((await _client.FindingsAsync("unseen-rings", "rule=GEOM_INVALID&layer=kml")).Features());
        Assert.Equal("as written in the file: ring not closed: closed by repeating its first vertex", kmlFinding.Detail());
    }

    [Fact]
    public async Task A_missing_ward_is_a_coverage_gap_that_costs_until_declared_and_slivers_and_tiny_overlaps_cost_by_area()
    {
        const string city = "unseen-gaps";
        await CityAsync(city);
        // Ward 5 (the north-east cell) is missing; wards 1 and 2 leave a 2 m sliver; ward 3 reaches 1 m into ward 2.
        var wards = new[]
        {
            Ward(1, Columns[0], South, Columns[1], Mid, "Ward-1"), Ward(2, Columns[1] + 0.00002, South, Columns[2], Mid, "W-02"),
            Ward(3, Columns[2] - 0.00001, South, Columns[3], Mid, "०३"), Ward(4, Columns[0], Mid, Columns[1], North),
            Ward(6, Columns[1], Mid, Columns[2], North),
        };
        await _client.UploadAsync(city, Collection(wards), "wards.geojson", "ward", ("name", "wards")).CreatedLayerAsync();
        await _client.RunCheckAsync(city);

        var score = await _client.ReadinessAsync(city);
        var layer = score.Layer("wards");
        var coverage = layer.Rule("COVERAGE_GAP");
        Assert.Equal("area", coverage.GetProperty("scoredBy").GetString());
        var hole = 0.007 * 0.01 * 104_000 * 110_700; // about 0.81 km²
        Assert.InRange(coverage.GetProperty("offendingAreaM2").GetDouble(), 0.97 * hole, 1.03 * hole);
        Assert.InRange(coverage.GetProperty("errorRate").GetDouble(), 0.16, 0.19); // 0.81 of 4.6 km²: over 5 %, all 5 lost
        Assert.Equal(5, coverage.GetProperty("lost").GetDouble(), 6);
        var gap = Assert.Single((await _client.FindingsAsync(city, "rule=COVERAGE_GAP")).Features()).Detail();
        Like(@"^8\d\d,\d{3} m² of the city \(official boundary layer\) between wards (6, ०३|०३, 6) lies outside every ward, 1[78]\.\d\d % of the city; it is large and compact", gap);
        Assert.Contains("declare it in an exclusion layer", gap);
        var missing = Assert.Single((await _client.FindingsAsync(city, "rule=ward_number_missing")).Features()).Detail();
        Like(@"^ward 5 is not in the layer, whose wards are numbered 1 to 6; 8\d\d,\d{3} m² of the city next to ward 6 lies in no ward$", missing);

        var sliver = layer.Rule("GAP_SLIVER");
        var sliverArea = 0.00002 * 104_000 * 0.01 * 110_700; // 2.1 m x 1.1 km
        Assert.InRange(sliver.GetProperty("offendingAreaM2").GetDouble(), 0.9 * sliverArea, 1.1 * sliverArea);
        Assert.Equal(0, sliver.GetProperty("offending").GetDouble()); // a gap is no feature
        var sliverDetail = Assert.Single((await _client.FindingsAsync(city, "rule=GAP_SLIVER")).Features()).Detail();
        Like(@"^a sliver of 2,[0-9]{3} m², at most 2\.\d m wide between wards .*Ward-1.* belongs to no ward$", sliverDetail);
        Assert.Contains("W-02", sliverDetail);

        var overlap = layer.Rule("OVERLAP");
        Assert.Equal(2, overlap.GetProperty("offending").GetDouble());
        Assert.InRange(overlap.GetProperty("offendingAreaM2").GetDouble(), 1000, 1300);
        Assert.InRange(overlap.GetProperty("lost").GetDouble(), 0.05, 0.3); // 1,150 m² of 3.9 km²: a tenth of a point, not the weight

        // The city declares the hole a cantonment: it is no longer a gap and costs nothing.
        await _client.UploadAsync(city, Collection([Feature(Box(Columns[2], Mid, Columns[3], North), new { reason = "Cantonment (Ministry of Defence)" })]),
            "exclusions.geojson", "exclusion", ("name", "exclusions")).CreatedLayerAsync();
        await _client.RunCheckAsync(city);
        var declared = (await _client.ReadinessAsync(city)).Layer("wards").Rule("COVERAGE_GAP");
        Assert.Equal(0, declared.GetProperty("lost").GetDouble());
        var zone = Assert.Single((await _client.FindingsAsync(city, "rule=EXCLUSION_ZONE")).Features()).Detail();
        Assert.Contains("in a declared exclusion zone (Cantonment (Ministry of Defence)): not a gap", zone);
        Assert.Equal(1, (await _client.ReadinessAsync(city)).GetProperty("boundary").GetProperty("exclusionZones").GetInt32());
    }

    [Fact]
    public async Task Ward_keys_spelled_many_ways_match_and_a_far_outlier_is_a_finding_not_extent()
    {
        const string city = "unseen-keys";
        await CityAsync(city);
        await _client.UploadAsync(city, Collection([
                Ward(81, Columns[0], South, Columns[1], North, "Ward No. 81"), Ward(82, Columns[1], South, Columns[2], North, "082"),
                Ward(83, Columns[2], South, Columns[3], North, "F/N")]),
            "wards.geojson", "ward", ("name", "wards")).CreatedLayerAsync();
        var csv = """
            asset_id,asset_type,ward_no,lon,lat
            O-1,ward office,Ward-81,75.793123,20.900456
            O-2,ward office,W-82,75.800123,20.900456
            O-3,school,८२ ,75.801123,20.901456
            O-4,school,F-North,75.806123,20.900456
            O-5,school,81,75.806523,20.900956
            O-6,school,81,0,0
            """;
        var assets = await _client.UploadAsync(city, Encoding.UTF8.GetBytes(csv), "assets.csv", "asset", ("name", "assets")).CreatedLayerAsync();
        var bbox = assets.GetProperty("bbox").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.InRange(bbox[0], 75.79, 75.81); // the point at 0,0 is not part of the extent
        Assert.InRange(bbox[1], 20.89, 20.91);
        var tileJson = await _client.GetJsonAsync($"/tiles/{assets.GetProperty("id").GetInt64()}.json");
        Assert.InRange(tileJson.GetProperty("bounds")[0].GetDouble(), 75.79, 75.81);
        Assert.InRange(tileJson.GetProperty("center")[1].GetDouble(), 20.89, 20.91);

        await _client.RunCheckAsync(city);
        var mismatch = Assert.Single((await _client.FindingsAsync(city, "rule=WARD_MISMATCH")).Features());
        Assert.Equal("its ward number says 81, but it lies in ward F/N", mismatch.Detail()); // O-5 only
        Assert.Empty((await _client.FindingsAsync(city, "rule=WARD_OFFICE_ELSEWHERE")).Features());
        var outside = Assert.Single((await _client.FindingsAsync(city, "rule=outside_city")).Features());
        Assert.StartsWith("lies at null island (0, 0)", outside.Detail());
    }

    [Fact]
    public async Task Rival_id_fields_are_decided_by_content_with_the_reason_and_a_moderator_can_change_the_choice_without_a_re_import()
    {
        const string city = "unseen-fields";
        await CityAsync(city);
        // "ward" (an alias listed before "sn") holds a zone letter shared by several wards; "sn" holds "Ward-1".."Ward-4".
        var wards = Enumerable.Range(0, 4).Select(i => Feature(Box(West + i * 0.005, South, West + (i + 1) * 0.005, North),
            new Dictionary<string, string> { ["ward"] = i < 2 ? "A" : "B", ["sn"] = $"Ward-{i + 1}", ["KGISWardName"] = $"Ward {i + 1}" }));
        var layer = await _client.UploadAsync(city, Collection(wards), "wards.geojson", "ward", ("name", "wards")).CreatedLayerAsync();
        await _client.RunCheckAsync(city);

        var fieldMap = (await _client.ReadinessAsync(city)).Layer("wards").GetProperty("fieldMap").EnumerateArray()
            .ToDictionary(c => c.GetProperty("canonical").GetString()!, c => (Field: c.GetProperty("field").GetString()!, Reason: c.GetProperty("reason").GetString()!));
        Assert.Equal("sn", fieldMap["ward_no"].Field);
        Assert.Equal("chosen by content: 'sn': 4 of 4 filled, 4 distinct, 4 read as ward numbers; over 'ward': 4 of 4 filled, 2 distinct, 0 read as ward numbers",
            fieldMap["ward_no"].Reason);
        Assert.Equal("KGISWardName", fieldMap["ward_name"].Field);
        Assert.Empty((await _client.FindingsAsync(city, "rule=ID_NOT_UNIQUE")).Features());
        var report = await _client.GetStringAsync($"/api/cities/{city}/readiness/report");
        Assert.Contains("chosen by content: &#39;sn&#39;", report);

        // A moderator says the zone letter is the id after all: the next check reads it, with no re-import.
        var id = layer.GetProperty("id").GetInt64();
        var put = await _client.PutAsJsonAsync($"/api/layers/{id}/field-map", new Dictionary<string, string> { ["ward_no"] = "ward" });
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        var unknown = await _client.PutAsJsonAsync($"/api/layers/{id}/field-map", new Dictionary<string, string> { ["ward_no"] = "no_such_field" });
        Assert.Equal(System.Net.HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
        await _client.RunCheckAsync(city);
        var changed = (await _client.ReadinessAsync(city)).Layer("wards").GetProperty("fieldMap").EnumerateArray()
            .Single(c => c.GetProperty("canonical").GetString() == "ward_no");
        Assert.Equal("ward", changed.GetProperty("field").GetString());
        Assert.Equal("set in the layer's field map", changed.GetProperty("reason").GetString());
        Assert.Equal(4, (await _client.FindingsAsync(city, "rule=ID_NOT_UNIQUE")).Features().Count());
    }
}
