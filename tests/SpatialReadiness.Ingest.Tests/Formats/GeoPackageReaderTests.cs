using System.Text.Json;
using Microsoft.Data.Sqlite;
using SpatialReadiness.Ingest.Formats;

namespace SpatialReadiness.Ingest.Tests.Formats;

/// <summary>GeoPackages made by GDAL's ogr2ogr (Debian gdal-bin) from the real Pune wards.</summary>
public sealed class GeoPackageReaderTests
{
    /// <summary>Runs ogr2ogr and returns its output file (the third argument).</summary>
    private static string Ogr2Ogr(params string[] arguments)
    {
        Gdal.Ogr2Ogr(arguments);
        return arguments[2];
    }

    private static string PuneWards(string table = "wards", params string[] extra) =>
        Ogr2Ogr(["-f", "GPKG", SharedData.TempPath("wards.gpkg"), SharedData.Path("pune/pune-electoral-wards_2022.geojson"), "-nln", table, .. extra]);

    private static List<RawFeature> Read(string gpkg, ReaderOptions? options = null)
    {
        using var reader = new GeoPackageReader(gpkg, options ?? new ReaderOptions());
        return reader.Read(CancellationToken.None).ToList();
    }

    [Fact]
    public void A_feature_table_is_read_with_its_CRS_ids_and_typed_attributes()
    {
        using var reader = new GeoPackageReader(PuneWards(), new ReaderOptions());
        var features = reader.Read(CancellationToken.None).ToList();

        Assert.Equal(58, features.Count);
        Assert.Equal("GeoPackage", reader.Format);
        Assert.Equal("EPSG:4326", reader.DeclaredCrs!.Label);
        Assert.Equal("1", features[0].SourceId);
        Assert.Equal("58", features[57].SourceId);
        var first = JsonDocument.Parse(features[0].AttributesJson).RootElement;
        Assert.Equal(JsonValueKind.Number, first.GetProperty("wardnum").ValueKind);
        Assert.Equal(1, first.GetProperty("wardnum").GetInt32());
        Assert.Equal(JsonValueKind.String, first.GetProperty("Name1").ValueKind);
        Assert.Contains("wardnum", reader.Fields);
        Assert.Contains("Name1", reader.Fields);
        Assert.DoesNotContain("fid", reader.Fields);
        Assert.DoesNotContain("geom", reader.Fields);
        Assert.Equal("MultiPolygon", features[0].Geometry!.GeometryType);
        var centre = features[0].Geometry!.EnvelopeInternal.Centre;
        Assert.InRange(centre.X, 73.7, 74.1); // Pune
        Assert.InRange(centre.Y, 18.4, 18.7);
    }

    [Fact]
    public void A_projected_GeoPackage_declares_its_CRS_and_keeps_2D_coordinates()
    {
        var gpkg = PuneWards("wards", "-t_srs", "EPSG:32643", "-dim", "XYZ");
        using var reader = new GeoPackageReader(gpkg, new ReaderOptions());
        var features = reader.Read(CancellationToken.None).ToList();

        Assert.Equal("EPSG:32643", reader.DeclaredCrs!.Label);
        Assert.InRange(features[0].Geometry!.Coordinate.X, 300_000, 500_000); // UTM 43N eastings around Pune
        Assert.All(features[0].Geometry!.Coordinates, c => Assert.True(double.IsNaN(c.Z)));
    }

    [Fact]
    public void Several_feature_tables_need_a_choice()
    {
        var gpkg = Ogr2Ogr("-f", "GPKG", SharedData.TempPath("two.gpkg"), SharedData.Path("pune/pune-electoral-wards_2022.geojson"), "-nln", "wards_2022");
        Ogr2Ogr("-f", "GPKG", "-update", gpkg, SharedData.Path("pune/pune-admin-wards_2017.geojson"), "-nln", "admin_2017");

        var e = Assert.Throws<InputException>(() => new GeoPackageReader(gpkg, new ReaderOptions()));
        Assert.Equal(InputError.Malformed, e.Code);
        Assert.Contains("2 feature tables (admin_2017, wards_2022)", e.Message);
        Assert.Contains("--sublayer", e.Message);

        Assert.Equal(15, Read(gpkg, new ReaderOptions(Sublayer: "admin_2017")).Count);
        Assert.Equal(58, Read(gpkg, new ReaderOptions(Sublayer: "WARDS_2022")).Count);
        var missing = Assert.Throws<InputException>(() => new GeoPackageReader(gpkg, new ReaderOptions(Sublayer: "roads")));
        Assert.Contains("no feature table 'roads'; it has: admin_2017, wards_2022", missing.Message);
    }

    [Fact]
    public void Table_and_column_names_with_quotes_and_spaces_are_read()
    {
        var gpkg = PuneWards("ward \"areas\"; 2022");
        using var reader = new GeoPackageReader(gpkg, new ReaderOptions());
        Assert.Equal(58, reader.Read(CancellationToken.None).Count());
    }

    [Fact]
    public void A_broken_geometry_blob_is_refused_naming_the_feature()
    {
        var gpkg = PuneWards();
        using (var connection = new SqliteConnection($"Data Source={gpkg};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            // GDAL's R-tree triggers call spatial functions plain SQLite lacks; drop them before editing.
            command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'trigger'";
            var triggers = new List<string>();
            using (var r = command.ExecuteReader()) while (r.Read()) triggers.Add(r.GetString(0));
            foreach (var trigger in triggers)
            {
                command.CommandText = $"DROP TRIGGER \"{trigger}\"";
                command.ExecuteNonQuery();
            }
            command.CommandText = "UPDATE wards SET geom = X'4750000100000000FFFF' WHERE fid = 3";
            command.ExecuteNonQuery();
        }

        var e = Assert.Throws<InputException>(() => Read(gpkg));
        Assert.Equal(InputError.Malformed, e.Code);
        Assert.Contains("feature 3 of table 'wards'", e.Message);
    }

    [Fact]
    public void A_feature_over_the_vertex_limit_is_refused_naming_it_and_the_limit()
    {
        var e = Assert.Throws<InputException>(() => Read(PuneWards(), new ReaderOptions(MaxVerticesPerFeature: 100)));
        Assert.Equal(InputError.TooLarge, e.Code);
        Assert.Contains("feature 1 of table 'wards'", e.Message);
        Assert.Contains("limit of 100", e.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_GeoPackage_is_refused()
    {
        var e = Assert.Throws<InputException>(() => new GeoPackageReader(SharedData.TempFile("bad.gpkg", "not sqlite at all"), new ReaderOptions()));
        Assert.Equal(InputError.Malformed, e.Code);
        Assert.Contains("not a readable GeoPackage", e.Message);
    }

    [Fact]
    public void An_SQLite_database_without_GeoPackage_tables_is_refused()
    {
        var path = SharedData.TempPath("plain.sqlite");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE t (a INTEGER)";
            command.ExecuteNonQuery();
        }
        var e = Assert.Throws<InputException>(() => new GeoPackageReader(path, new ReaderOptions()));
        Assert.Equal(InputError.Malformed, e.Code);
        Assert.Contains("not a GeoPackage", e.Message);
    }

    [Fact]
    public void Reading_stops_when_cancelled()
    {
        using var reader = new GeoPackageReader(PuneWards(), new ReaderOptions());
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => reader.Read(cancelled.Token).First());
    }
}
