using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Layers;

/// <summary>
/// Each kind of bad upload gets a 4xx problem+json that says what is wrong and where, and writes nothing: no layer,
/// no feature table, and a failed import job that records why.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class BadInputTests(ServerFixture server)
{
    private readonly HttpClient _client = server.Admin;

    private async Task<string> Refused(byte[] content, string fileName, HttpStatusCode status, string code, string kind = "ward", params (string, string)[] fields)
    {
        var city = "bad-" + Guid.NewGuid().ToString("N")[..10];
        await _client.CreateCityAsync(city);
        var tablesBefore = await FeatureTables();

        var response = await _client.UploadAsync(city, content, fileName, kind, fields);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = System.Text.Json.JsonDocument.Parse(body).RootElement;
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal(0, (await _client.GetJsonAsync($"/api/cities/{city}/layers")).GetArrayLength());
        Assert.Equal(tablesBefore, await FeatureTables());
        return problem.GetProperty("detail").GetString()!;
    }

    private Task<long> FeatureTables() =>
        server.Database.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname LIKE 'features\\_%' AND relkind = 'r'");

    private static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, content) in entries)
            {
                using var stream = zip.CreateEntry(name, CompressionLevel.SmallestSize).Open();
                stream.Write(content);
            }
        return memory.ToArray();
    }

    private const string OneWard = """{"type":"Feature","properties":{"ward_no":1},"geometry":{"type":"Point","coordinates":[73.85,18.52]}}""";

    [Fact]
    public async Task Malformed_JSON_is_refused_naming_the_line()
    {
        var detail = await Refused(Text("{\"type\":\"FeatureCollection\",\n\"features\":[\n" + OneWard + ",\n{\"type\":\"Feature\",,}]}"), "broken.geojson", HttpStatusCode.BadRequest, "Malformed");
        Assert.Contains("malformed JSON at line 4", detail);
    }

    [Fact]
    public async Task Trailing_garbage_after_valid_JSON_is_refused()
    {
        var detail = await Refused(Text("{\"type\":\"FeatureCollection\",\"features\":[" + OneWard + "]}\n}garbage"), "trailing.geojson", HttpStatusCode.BadRequest, "Malformed");
        Assert.Contains("after", detail);
        Assert.Contains("line 2", detail);
    }

    [Fact]
    public async Task An_empty_zip_is_refused()
    {
        var detail = await Refused(Zip(), "empty.zip", HttpStatusCode.BadRequest, "Malformed");
        Assert.Contains("empty", detail);
    }

    [Fact]
    public async Task A_zip_without_shp_is_refused_listing_what_it_holds()
    {
        var detail = await Refused(Zip(("wards.dbf", [3, 0]), ("wards.shx", [0])), "wards.zip", HttpStatusCode.BadRequest, "Malformed");
        Assert.Contains("no .shp", detail);
        Assert.Contains("wards.dbf", detail);
    }

    [Fact]
    public async Task A_zip_without_shx_is_refused()
    {
        var detail = await Refused(Zip(("wards.shp", [0]), ("wards.dbf", [3])), "wards.zip", HttpStatusCode.BadRequest, "Malformed");
        Assert.Contains("no .shx", detail);
    }

    [Fact]
    public async Task A_zip_bomb_is_stopped_at_the_unpack_limit()
    {
        var bomb = Zip(("wards.shp", new byte[100 << 20]), ("wards.shx", [0]), ("wards.dbf", [0]));
        Assert.True(bomb.Length < 1 << 20); // 100 MiB of zeros packs to a few hundred KiB
        var detail = await Refused(bomb, "bomb.zip", HttpStatusCode.RequestEntityTooLarge, "TooLarge");
        Assert.Contains("zip bomb", detail);
    }

    [Fact]
    public async Task Zip_entries_with_path_traversal_are_refused()
    {
        var detail = await Refused(Zip(("../../evil.shp", [0]), ("evil.shx", [0])), "evil.zip", HttpStatusCode.BadRequest, "Malformed");
        Assert.Contains("path traversal", detail);
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), "evil.shp")));
    }

    [Fact]
    public async Task An_upload_over_the_size_limit_is_refused()
    {
        var big = new byte[(ServerFixture.MaxUploadMb << 20) + 4096];
        big.AsSpan().Fill((byte)' ');
        var detail = await Refused(big, "huge.geojson", HttpStatusCode.RequestEntityTooLarge, "TooLarge");
        Assert.Contains($"{ServerFixture.MaxUploadMb} MiB", detail);
    }

    [Fact]
    public async Task An_unknown_format_is_refused_listing_the_supported_ones()
    {
        var detail = await Refused(Text("just some text\n"), "wards.xyz", HttpStatusCode.UnsupportedMediaType, "UnsupportedFormat");
        Assert.Contains("GeoJSON", detail);
        Assert.Contains("GeoPackage", detail);
    }

    [Fact]
    public async Task A_CSV_without_coordinate_columns_is_refused_naming_the_header()
    {
        var detail = await Refused(Text("name,ward\nOffice 1,3\n"), "offices.csv", HttpStatusCode.BadRequest, "Malformed", "asset");
        Assert.Contains("longitude", detail);
        Assert.Contains("name, ward", detail);
    }

    [Fact]
    public async Task Web_mercator_metres_presented_as_lon_lat_are_refused_with_the_CRS_that_fits()
    {
        // Pune's centre in EPSG:3857 metres, in a GeoJSON that declares no CRS (so lon/lat is assumed).
        var geojson = "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Point\",\"coordinates\":[8221000.0,2099000.0]}}]}";
        var detail = await Refused(Text(geojson), "metres.geojson", HttpStatusCode.UnprocessableEntity, "Unprocessable", "asset");
        Assert.Contains("feature 1", detail);
        Assert.Contains("EPSG:3857", detail);
        Assert.Contains("73.8", detail);
    }

    [Fact]
    public async Task Swapped_latitude_and_longitude_are_refused_with_the_swap_hint()
    {
        var rows = string.Join("\n", Enumerable.Range(0, 5).Select(i => string.Create(CultureInfo.InvariantCulture, $"o{i},{18.5 + i * 0.01},{73.85}")));
        var detail = await Refused(Text("name,lon,lat\n" + rows + "\n"), "swapped.csv", HttpStatusCode.UnprocessableEntity, "Unprocessable", "asset");
        Assert.Contains("outside India", detail);
        Assert.Contains("swap", detail);
    }

    [Fact]
    public async Task A_polygon_over_the_vertex_limit_is_refused()
    {
        var ring = new StringBuilder();
        var n = ServerFixture.MaxVertices + 10;
        for (var i = 0; i < n; i++)
        {
            var angle = 2 * Math.PI * i / n;
            ring.Append(CultureInfo.InvariantCulture, $"[{73.85 + 0.01 * Math.Cos(angle):0.0000000},{18.52 + 0.01 * Math.Sin(angle):0.0000000}],");
        }
        ring.Append("[73.86,18.52]");
        var geojson = "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[73.86,18.52]," + ring + "]]}}]}";
        var detail = await Refused(Text(geojson), "huge-polygon.geojson", HttpStatusCode.RequestEntityTooLarge, "TooLarge", "slum");
        Assert.Contains("vertices", detail);
        Assert.Contains("feature 1", detail);
    }

    [Fact]
    public async Task Text_in_the_wrong_code_page_is_refused_with_the_encoding_hint()
    {
        var dir = Gdal.TempDirectory();
        File.WriteAllText(Path.Combine(dir, "wards.geojson"),
            "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"name\":\"Péth\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[73.85,18.52]}}]}");
        Gdal.Ogr2Ogr("-f", "ESRI Shapefile", Path.Combine(dir, "wards.shp"), Path.Combine(dir, "wards.geojson"), "-lco", "ENCODING=CP1252");
        File.WriteAllText(Path.Combine(dir, "wards.cpg"), "UTF-8"); // the .cpg lies: the DBF holds windows-1252 bytes
        var zip = Zip(Directory.GetFiles(dir, "wards.*").Where(f => !f.EndsWith(".geojson")).Select(f => (Path.GetFileName(f), File.ReadAllBytes(f))).ToArray());

        var detail = await Refused(zip, "wards.zip", HttpStatusCode.BadRequest, "Malformed", "asset");
        Assert.Contains("utf-8", detail, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("--encoding", detail);

        var city = "codepage-" + Guid.NewGuid().ToString("N")[..8];
        await _client.CreateCityAsync(city);
        var layer = await _client.UploadAsync(city, zip, "wards.zip", "asset", ("encoding", "windows-1252")).CreatedLayerAsync();
        Assert.Equal("Péth", await server.Database.ScalarAsync<string>("SELECT attributes->>'name' FROM features WHERE layer_id = $1", layer.GetProperty("id").GetInt64()));
    }

    [Fact]
    public async Task A_missing_kind_or_licence_or_an_unknown_city_is_explained()
    {
        var city = "fields-" + Guid.NewGuid().ToString("N")[..8];
        await _client.CreateCityAsync(city);
        var noLicence = await _client.UploadAsync(city, Text("{\"type\":\"FeatureCollection\",\"features\":[]}"), "w.geojson", "ward", ("licence", ""));
        Assert.Equal(HttpStatusCode.BadRequest, noLicence.StatusCode);
        Assert.Contains("licence", (await noLicence.JsonAsync()).GetProperty("detail").GetString());

        var badKind = await _client.UploadAsync(city, Text("{}"), "w.geojson", "river");
        Assert.Contains("ward|slum|asset|boundary|exclusion|building|other", (await badKind.JsonAsync()).GetProperty("detail").GetString());

        var noCity = await _client.UploadAsync("no-such-city", Text("{}"), "w.geojson", "ward");
        Assert.Equal(HttpStatusCode.NotFound, noCity.StatusCode);
    }
}
