using System.Net;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Layers;

/// <summary>Downloads as a GIS cell uses them: each format opens in GDAL with every feature, and sensitive data stays out.</summary>
[Collection(PostgisCollection.Name)]
public sealed class ExportTests(ServerFixture server)
{
    private const string Households = """
        {"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"slum_id":"S-1","slum_name":"Lakshmi Nagar","head_name":"R. Kamble"},
           "geometry":{"type":"Polygon","coordinates":[[[73.85,18.52],[73.851,18.52],[73.851,18.521],[73.85,18.521],[73.85,18.52]]]}},
          {"type":"Feature","properties":{"slum_id":"S-2","slum_name":"Bhim Nagar, \"East\"","head_name":"S. Pawar"},
           "geometry":{"type":"Polygon","coordinates":[[[73.86,18.52],[73.861,18.52],[73.861,18.521],[73.86,18.521],[73.86,18.52]]]}}]}
        """;

    [Fact]
    public async Task Every_format_opens_in_GDAL_with_every_feature_of_the_real_Jaipur_wards()
    {
        await server.Admin.CreateCityAsync("ex-jaipur", "Jaipur");
        var layer = await server.Admin.UploadAsync("ex-jaipur", SharedData.Path("jaipur/Jaipur_Wards-SHP.zip"), "ward", ("name", "wards")).CreatedLayerAsync();
        var id = layer.GetProperty("id").GetInt64();
        var count = layer.GetProperty("featureCount").GetInt64();
        var directory = Gdal.TempDirectory();
        foreach (var (format, file) in new[] { ("geojson", "w.geojson"), ("csv", "w.csv"), ("gpkg", "w.gpkg"), ("shp", "w.shp.zip") })
        {
            var response = await server.Client.GetAsync($"/api/layers/{id}/export?format={format}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{format}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            var path = Path.Combine(directory, file);
            await File.WriteAllBytesAsync(path, await response.Content.ReadAsByteArrayAsync());
            var open = format switch
            {
                "shp" => "/vsizip/" + path,
                "csv" => "CSV:" + path,
                _ => path,
            };
            var info = Gdal.OgrInfo("-ro", "-al", "-so", open);
            Assert.Contains($"Feature Count: {count}", info);
        }
    }

    [Fact]
    public async Task Sensitive_fields_are_left_out_of_every_download_and_a_sensitive_layer_is_refused()
    {
        await server.Admin.CreateCityAsync("ex-sensitive");
        var layer = await server.Admin.UploadAsync("ex-sensitive", SharedData.TempFile("survey.geojson", Households), "slum",
            ("name", "survey"), ("sensitiveFields", "head_name")).CreatedLayerAsync();
        var id = layer.GetProperty("id").GetInt64();
        var geojson = await server.Client.GetStringAsync($"/api/layers/{id}/export?format=geojson");
        Assert.Contains("Lakshmi Nagar", geojson);
        Assert.DoesNotContain("Kamble", geojson);
        var csv = await server.Client.GetStringAsync($"/api/layers/{id}/export?format=csv");
        Assert.StartsWith("id,slum_id,slum_name,wkt\r\n", csv);
        Assert.Contains("\"Bhim Nagar, \"\"East\"\"\"", csv);
        Assert.DoesNotContain("Pawar", csv);
        var gpkg = Path.Combine(Gdal.TempDirectory(), "s.gpkg");
        await File.WriteAllBytesAsync(gpkg, await server.Client.GetByteArrayAsync($"/api/layers/{id}/export?format=gpkg"));
        var info = Gdal.OgrInfo("-ro", "-al", gpkg);
        Assert.Contains("Lakshmi Nagar", info);
        Assert.DoesNotContain("head_name", info);

        var hidden = await server.Admin.UploadAsync("ex-sensitive", SharedData.TempFile("register.geojson", Households), "other",
            ("name", "register"), ("sensitive", "true")).CreatedLayerAsync();
        var refused = await server.Client.GetAsync($"/api/layers/{hidden.GetProperty("id").GetInt64()}/export?format=geojson");
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode); // as if it did not exist
        var badFormat = await server.Client.GetAsync($"/api/layers/{id}/export?format=dxf");
        Assert.Equal(HttpStatusCode.BadRequest, badFormat.StatusCode);
        Assert.Contains("geojson, csv, shp, gpkg", (await badFormat.JsonAsync()).GetProperty("detail").GetString());
    }
}
