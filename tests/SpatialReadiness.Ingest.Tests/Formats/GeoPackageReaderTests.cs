using System.Diagnostics;
using System.Text.Json;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Ingest.Formats;

namespace SpatialReadiness.Ingest.Tests.Formats;

/// <summary>GeoPackages made by GDAL's ogr2ogr (Debian gdal-bin) from the real Pune wards.</summary>
public sealed class GeoPackageReaderTests
{
    private static string Ogr2Ogr(string output, params string[] arguments)
    {
        var start = new ProcessStartInfo("ogr2ogr") { RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, errors);
        return output;
    }

    [Fact]
    public void A_feature_table_is_read_with_its_CRS_ids_and_attributes()
    {
        var gpkg = Path.Combine(Path.GetDirectoryName(SharedData.TempFile("x", ""))!, "wards.gpkg");
        Ogr2Ogr(gpkg, "-f", "GPKG", gpkg, SharedData.Path("pune/pune-electoral-wards_2022.geojson"), "-nln", "wards");

        using var reader = new GeoPackageReader(gpkg, new ReaderOptions());
        var features = reader.Read(CancellationToken.None).ToList();

        Assert.Equal(58, features.Count);
        Assert.Equal("EPSG:4326", reader.DeclaredCrs!.Label);
        Assert.Equal("1", features[0].SourceId);
        Assert.Equal(1, JsonDocument.Parse(features[0].AttributesJson).RootElement.GetProperty("wardnum").GetInt32());
        Assert.Contains("Name1", reader.Fields);
        Assert.Equal("MultiPolygon", features[0].Geometry!.GeometryType);
    }

    [Fact]
    public void Several_feature_tables_need_a_choice()
    {
        var gpkg = Path.Combine(Path.GetDirectoryName(SharedData.TempFile("x", ""))!, "two.gpkg");
        Ogr2Ogr(gpkg, "-f", "GPKG", gpkg, SharedData.Path("pune/pune-electoral-wards_2022.geojson"), "-nln", "wards_2022");
        Ogr2Ogr(gpkg, "-f", "GPKG", "-update", gpkg, SharedData.Path("pune/pune-admin-wards_2017.geojson"), "-nln", "admin_2017");

        var e = Assert.Throws<InputException>(() => new GeoPackageReader(gpkg, new ReaderOptions()));
        Assert.Contains("admin_2017, wards_2022", e.Message);
        Assert.Contains("--sublayer", e.Message);

        using var chosen = new GeoPackageReader(gpkg, new ReaderOptions(Sublayer: "admin_2017"));
        Assert.Equal(15, chosen.Read(CancellationToken.None).Count());
    }

    [Fact]
    public void A_file_that_is_not_a_GeoPackage_is_refused()
    {
        var e = Assert.Throws<InputException>(() => new GeoPackageReader(SharedData.TempFile("bad.gpkg", "not sqlite at all"), new ReaderOptions()));
        Assert.Contains("GeoPackage", e.Message);
    }
}
