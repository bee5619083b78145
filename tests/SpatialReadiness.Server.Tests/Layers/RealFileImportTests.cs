using System.IO.Compression;
using System.Security.Cryptography;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Layers;

/// <summary>Every supported format, uploaded over HTTP from the real city layers in ../shared/data.</summary>
[Collection(PostgisCollection.Name)]
public sealed class RealFileImportTests(ServerFixture server)
{
    private readonly HttpClient _client = server.Admin;

    [Fact]
    public async Task Pune_2022_wards_GeoJSON_arrive_with_attributes_provenance_and_CRS()
    {
        await _client.CreateCityAsync("pune-geojson", "Pune");
        var path = SharedData.Path("pune/pune-electoral-wards_2022.geojson");

        var layer = await _client.UploadAsync("pune-geojson", path, "ward", ("title", "Electoral wards 2022"),
            ("organisation", "PMC"), ("surveyDate", "2022-02-01"), ("custodian", "Pune Municipal Corporation")).CreatedLayerAsync();

        Assert.Equal(58, layer.GetProperty("featureCount").GetInt64());
        Assert.Equal(0, layer.GetProperty("invalidGeometryCount").GetInt64());
        Assert.Equal("EPSG:4326", layer.GetProperty("crsReceived").GetString());
        Assert.Equal("GeoJSON", layer.GetProperty("format").GetString());
        Assert.Contains("Name1", layer.GetProperty("fields").EnumerateArray().Select(f => f.GetString()));
        var provenance = layer.GetProperty("provenance");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), provenance.GetProperty("sourceSha256").GetString());
        Assert.Equal("pune-electoral-wards_2022.geojson", provenance.GetProperty("sourceFile").GetString());
        Assert.Equal("test-admin", provenance.GetProperty("importedBy").GetString()); // who signed in
        Assert.Equal("PMC", provenance.GetProperty("organisation").GetString());
        Assert.Equal("CC BY-SA 2.5 IN", layer.GetProperty("licence").GetString());
        var bbox = layer.GetProperty("bbox").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.InRange(bbox[0], 73.7, 73.8);
        Assert.InRange(bbox[3], 18.6, 18.7);

        var fromApi = await _client.GetJsonAsync($"/api/layers/{layer.GetProperty("id").GetInt64()}");
        Assert.Equal("2022-02-01", fromApi.GetProperty("surveyDate").GetString());
        var listed = await _client.GetJsonAsync("/api/cities/pune-geojson/layers");
        Assert.Single(listed.EnumerateArray());
        var name = await server.Database.ScalarAsync<string>(
            "SELECT attributes->>'Name2' FROM features WHERE layer_id = $1 AND (attributes->>'wardnum')::int = 1", layer.GetProperty("id").GetInt64());
        Assert.Equal("Dhanori - Vishrantwadi", name);
    }

    [Fact]
    public async Task Mumbai_slums_keep_their_invalid_geometries_as_received_and_count_them()
    {
        await _client.CreateCityAsync("mumbai-slums", "Mumbai");
        var layer = await _client.UploadAsync("mumbai-slums", SharedData.Path("mumbai/slumClusters.geojson"), "slum").CreatedLayerAsync();
        var id = layer.GetProperty("id").GetInt64();

        Assert.Equal(2542, layer.GetProperty("featureCount").GetInt64());
        var invalid = layer.GetProperty("invalidGeometryCount").GetInt64();
        Assert.InRange(invalid, 20, 30); // QGIS (GEOS) finds 26; nothing is repaired on the way in
        var invalidInPostgis = await server.Database.ScalarAsync<long>("SELECT count(*) FROM features WHERE layer_id = $1 AND NOT ST_IsValid(geom)", id);
        Assert.InRange(invalidInPostgis, 20, 30);
        Assert.Equal(2542L, await server.Database.ScalarAsync<long>("SELECT count(DISTINCT attributes->>'polyno') FROM features WHERE layer_id = $1", id));
    }

    [Fact]
    public async Task Chennai_wards_KML_bring_their_ExtendedData_attributes()
    {
        await _client.CreateCityAsync("chennai-kml", "Chennai");
        var layer = await _client.UploadAsync("chennai-kml", SharedData.Path("chennai/Wards.kml"), "ward").CreatedLayerAsync();
        Assert.Equal(201, layer.GetProperty("featureCount").GetInt64());
        Assert.Equal("KML", layer.GetProperty("format").GetString());
        var zone = await server.Database.ScalarAsync<string>(
            "SELECT attributes->>'Zone_Name' FROM features WHERE layer_id = $1 AND attributes->>'Ward_No' = '119'", layer.GetProperty("id").GetInt64());
        Assert.Equal("TEYNAMPET", zone);
    }

    [Fact]
    public async Task Jaipur_wards_zipped_Shapefile_read_with_their_prj()
    {
        await _client.CreateCityAsync("jaipur-shp", "Jaipur");
        var layer = await _client.UploadAsync("jaipur-shp", SharedData.Path("jaipur/Jaipur_Wards-SHP.zip"), "ward").CreatedLayerAsync();
        Assert.Equal(77, layer.GetProperty("featureCount").GetInt64());
        Assert.Equal("Shapefile", layer.GetProperty("format").GetString());
        Assert.Equal("EPSG:4326", layer.GetProperty("crsReceived").GetString());
        var inJaipur = await server.Database.ScalarAsync<long>(
            "SELECT count(*) FROM features WHERE layer_id = $1 AND ST_Intersects(geom, ST_MakeEnvelope(75.6, 26.7, 76.0, 27.1, 4326))", layer.GetProperty("id").GetInt64());
        Assert.Equal(77, inJaipur);
    }

    [Fact]
    public async Task Pune_ward_offices_CSV_become_points_from_lon_lat_columns()
    {
        await _client.CreateCityAsync("pune-csv", "Pune");
        var layer = await _client.UploadAsync("pune-csv", SharedData.Path("pune/pune-admin-ward-offices.csv"), "asset").CreatedLayerAsync();
        Assert.Equal(14, layer.GetProperty("featureCount").GetInt64());
        Assert.Equal("EPSG:4326 (assumed)", layer.GetProperty("crsReceived").GetString());
        var aundh = await server.Database.ScalarAsync<string>(
            "SELECT ST_AsText(geom) FROM features WHERE layer_id = $1 AND attributes->>'name' = '01 Aundh Ward Office'", layer.GetProperty("id").GetInt64());
        Assert.Equal("POINT(73.814835 18.561222)", aundh);
    }

    [Fact]
    public async Task A_GeoPackage_and_a_GeoJSONSeq_made_by_GDAL_import_like_the_original()
    {
        await _client.CreateCityAsync("pune-gdal", "Pune");
        var dir = Gdal.TempDirectory();
        var source = SharedData.Path("pune/pune-electoral-wards_2022.geojson");
        Gdal.Ogr2Ogr("-f", "GPKG", Path.Combine(dir, "wards.gpkg"), source, "-nln", "wards");
        Gdal.Ogr2Ogr("-f", "GeoJSONSeq", Path.Combine(dir, "wards.geojsonl"), source);

        var gpkg = await _client.UploadAsync("pune-gdal", Path.Combine(dir, "wards.gpkg"), "ward").CreatedLayerAsync();
        var seq = await _client.UploadAsync("pune-gdal", Path.Combine(dir, "wards.geojsonl"), "ward", ("name", "wards-seq")).CreatedLayerAsync();

        Assert.Equal(58, gpkg.GetProperty("featureCount").GetInt64());
        Assert.Equal("GeoPackage", gpkg.GetProperty("format").GetString());
        Assert.Equal("EPSG:4326", gpkg.GetProperty("crsReceived").GetString());
        Assert.Equal(58, seq.GetProperty("featureCount").GetInt64());
        Assert.Equal("GeoJSONSeq", seq.GetProperty("format").GetString());
    }

    [Fact]
    public async Task Chennai_wards_zipped_as_KMZ_and_a_GML_read_through_GDAL_import_too()
    {
        await _client.CreateCityAsync("more-formats", "Chennai");
        var dir = Gdal.TempDirectory();
        var kmz = Path.Combine(dir, "wards.kmz");
        using (var zip = ZipFile.Open(kmz, ZipArchiveMode.Create))
            zip.CreateEntryFromFile(SharedData.Path("chennai/Wards.kml"), "doc.kml");
        var gml = Path.Combine(dir, "wards.gml");
        Gdal.Ogr2Ogr("-f", "GML", gml, SharedData.Path("pune/pune-electoral-wards_2022.geojson"));

        var fromKmz = await _client.UploadAsync("more-formats", kmz, "ward").CreatedLayerAsync();
        var fromGml = await _client.UploadAsync("more-formats", gml, "ward").CreatedLayerAsync();

        Assert.Equal(201, fromKmz.GetProperty("featureCount").GetInt64());
        Assert.Equal("KML", fromKmz.GetProperty("format").GetString());
        Assert.Equal(58, fromGml.GetProperty("featureCount").GetInt64());
        Assert.Equal("GDAL GML", fromGml.GetProperty("format").GetString());
        Assert.Contains("wardnum", fromGml.GetProperty("fields").EnumerateArray().Select(f => f.GetString()));
    }

    [Theory]
    [InlineData("EPSG:32643", "GeoJSON")]
    [InlineData("EPSG:3857", "ESRI Shapefile")]
    [InlineData("EPSG:24381", "GPKG")]
    [InlineData("EPSG:7755", "GeoJSON")]
    public async Task A_layer_reprojected_elsewhere_comes_back_to_the_same_coordinates_within_a_centimetre(string crs, string driver)
    {
        var city = "pune-" + crs.Replace("EPSG:", "crs");
        await _client.CreateCityAsync(city, "Pune");
        var source = SharedData.Path("pune/pune-electoral-wards_2022.geojson");
        var original = await _client.UploadAsync(city, source, "ward", ("name", "original")).CreatedLayerAsync();

        var dir = Gdal.TempDirectory();
        string upload;
        if (driver == "ESRI Shapefile")
        {
            Gdal.Ogr2Ogr("-f", driver, Path.Combine(dir, "wards.shp"), source, "-t_srs", crs);
            upload = Path.Combine(dir, "wards.zip");
            using (var zip = ZipFile.Open(upload, ZipArchiveMode.Create))
                foreach (var part in Directory.GetFiles(dir, "wards.*").Where(f => !f.EndsWith(".zip")))
                    zip.CreateEntryFromFile(part, Path.GetFileName(part));
        }
        else
        {
            upload = Path.Combine(dir, driver == "GPKG" ? "wards.gpkg" : "wards.geojson");
            Gdal.Ogr2Ogr("-f", driver, upload, source, "-t_srs", crs, "-lco", driver == "GPKG" ? "SPATIAL_INDEX=NO" : "COORDINATE_PRECISION=4");
        }
        var reprojected = await _client.UploadAsync(city, upload, "ward", ("name", "reprojected")).CreatedLayerAsync();
        Assert.Equal(crs, reprojected.GetProperty("crsReceived").GetString());

        var worstMetres = await server.Database.ScalarAsync<double>("""
            SELECT max(ST_HausdorffDistance(ST_Transform(a.geom, 32643), ST_Transform(b.geom, 32643)))
            FROM features a JOIN features b ON a.ordinal = b.ordinal
            WHERE a.layer_id = $1 AND b.layer_id = $2
            """, original.GetProperty("id").GetInt64(), reprojected.GetProperty("id").GetInt64());
        Assert.InRange(worstMetres, 0, 0.01);
    }

    [Fact]
    public async Task Reimporting_a_layer_makes_a_new_version_and_keeps_the_history()
    {
        await _client.CreateCityAsync("jaipur-versions", "Jaipur");
        var first = await _client.UploadAsync("jaipur-versions", SharedData.Path("jaipur/Jaipur_Wards.geojson"), "ward", ("name", "wards")).CreatedLayerAsync();
        var second = await _client.UploadAsync("jaipur-versions", SharedData.Path("jaipur/Jaipur_Wards-SHP.zip"), "ward", ("name", "wards")).CreatedLayerAsync();

        var id = first.GetProperty("id").GetInt64();
        Assert.Equal(id, second.GetProperty("id").GetInt64());
        Assert.Equal(2, second.GetProperty("version").GetInt32());
        Assert.Equal(77L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM features WHERE layer_id = $1", id));
        var versions = await _client.GetJsonAsync($"/api/layers/{id}/versions");
        Assert.Equal(["Jaipur_Wards.geojson", "Jaipur_Wards-SHP.zip"], versions.EnumerateArray().Select(v => v.GetProperty("sourceFile").GetString()));
    }

    [Fact]
    public async Task A_boundary_layer_becomes_the_city_boundary()
    {
        await _client.CreateCityAsync("jaipur-boundary", "Jaipur");
        await _client.UploadAsync("jaipur-boundary", SharedData.Path("jaipur/Jaipur_Boundary.geojson"), "boundary").CreatedLayerAsync();
        var city = await _client.GetJsonAsync("/api/cities/jaipur-boundary");
        Assert.True(city.GetProperty("hasBoundary").GetBoolean());
        Assert.InRange(city.GetProperty("bbox")[0].GetDouble(), 75.6, 75.9);
    }
}
