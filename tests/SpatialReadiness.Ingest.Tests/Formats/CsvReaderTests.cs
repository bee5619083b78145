using System.Text;
using System.Text.Json;
using SpatialReadiness.Ingest.Formats;

namespace SpatialReadiness.Ingest.Tests.Formats;

public sealed class CsvReaderTests
{
    private static List<RawFeature> Read(string path, Encoding? encoding = null)
    {
        using var reader = new CsvReader(path, new ReaderOptions(encoding));
        return reader.Read(CancellationToken.None).ToList();
    }

    private static JsonElement Attributes(RawFeature feature) => JsonDocument.Parse(feature.AttributesJson).RootElement;

    [Fact]
    public void Pune_ward_offices_keep_quoted_commas_and_line_breaks()
    {
        using var reader = new CsvReader(SharedData.Path("pune/pune-admin-ward-offices.csv"), new ReaderOptions());
        var features = reader.Read(CancellationToken.None).ToList();

        Assert.Equal(14, features.Count);
        Assert.Equal(["name", "description"], reader.Fields);
        Assert.Null(reader.DeclaredCrs);
        var aundh = Attributes(features[0]);
        Assert.Equal("01 Aundh Ward Office", aundh.GetProperty("name").GetString());
        Assert.StartsWith("Electoral Wards: 6,7,8,9,10<br>Address : Indo Brehman Chowk,<br>", aundh.GetProperty("description").GetString());
        Assert.Equal(73.814835, features[0].Geometry!.Coordinate.X, 9);
        Assert.Equal(18.561222, features[0].Geometry!.Coordinate.Y, 9);
        Assert.Equal("02 Ghole Road Ward Office", Attributes(features[1]).GetProperty("name").GetString());
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14], features.Select(f => f.Ordinal));
    }

    [Fact]
    public void Semicolon_files_with_other_column_names_keep_text_ids_and_rows_without_coordinates()
    {
        var features = Read(SharedData.TempFile("a.csv", "ID; Longitude ;LAT;note\n007;73.85;18.52;\"a;b\"\n008;;;missing\n"));
        Assert.Equal("""{"ID":"007","note":"a;b"}""", features[0].AttributesJson);
        Assert.Equal(18.52, features[0].Geometry!.Coordinate.Y);
        Assert.Null(features[1].Geometry); // stored, and reported by the check
    }

    [Fact]
    public void Tab_separated_files_with_x_y_columns_are_read()
    {
        var features = Read(SharedData.TempFile("t.csv", "name\tx\ty\nOffice, main\t73.85\t18.52\n"));
        Assert.Equal("Office, main", Attributes(features[0]).GetProperty("name").GetString());
        Assert.Equal(73.85, features[0].Geometry!.Coordinate.X);
    }

    [Fact]
    public void Quoted_fields_with_doubled_quotes_and_line_breaks_keep_later_line_numbers_right()
    {
        var path = SharedData.TempFile("q.csv", "name,lon,lat\n\"The \"\"Big\"\" office\nsecond line\",73.8,18.5\nb,73.9\n");
        var e = Assert.Throws<InputException>(() => Read(path));
        Assert.Equal(InputError.Malformed, e.Code);
        Assert.Contains("line 4 has 2 fields but the header has 3", e.Message);

        File.WriteAllText(path, "name,lon,lat\n\"The \"\"Big\"\" office\nsecond line\",73.8,18.5\n");
        Assert.Equal("The \"Big\" office\nsecond line", Attributes(Read(path)[0]).GetProperty("name").GetString());
    }

    [Fact]
    public void A_utf8_byte_order_mark_is_not_part_of_the_first_column_name()
    {
        var features = Read(SharedData.TempFile("bom.csv", [.. Encoding.UTF8.GetPreamble(), .. "lon,lat,name\n73.8,18.5,a\n"u8]));
        Assert.Equal("""{"name":"a"}""", features[0].AttributesJson);
        Assert.NotNull(features[0].Geometry);
    }

    [Fact]
    public void A_header_without_coordinate_columns_is_refused_listing_the_header()
    {
        var e = Assert.Throws<InputException>(() => Read(SharedData.TempFile("h.csv", "a,b,c\n1,2,3\n")));
        Assert.Equal(InputError.Malformed, e.Code);
        Assert.StartsWith("no coordinate columns: expected a longitude column (lon, lng, long, longitude or x) and a latitude column (lat, latitude or y)", e.Message);
        Assert.Contains("the header has: a, b, c.", e.Message);
    }

    [Fact]
    public void An_empty_file_is_refused()
    {
        var e = Assert.Throws<InputException>(() => Read(SharedData.TempFile("e.csv", "")));
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void A_row_with_the_wrong_number_of_fields_is_refused_naming_the_line()
    {
        var e = Assert.Throws<InputException>(() => Read(SharedData.TempFile("b.csv", "name,lon,lat\na,73.8,18.5\nb,73.9\n")));
        Assert.Equal(InputError.Malformed, e.Code);
        Assert.Contains("line 3", e.Message);
    }

    [Fact]
    public void A_coordinate_that_is_not_a_number_is_refused_naming_line_and_column()
    {
        var e = Assert.Throws<InputException>(() => Read(SharedData.TempFile("c.csv", "name,lon,lat\na,73.8,18.5\nb,73°51',18.5\n")));
        Assert.Equal(InputError.Malformed, e.Code);
        Assert.Contains("line 3", e.Message);
        Assert.Contains("'lon'", e.Message);
        Assert.Contains("73°51'", e.Message);
    }

    [Fact]
    public void A_decimal_comma_is_refused_not_misread()
    {
        var e = Assert.Throws<InputException>(() => Read(SharedData.TempFile("dc.csv", "name;lon;lat\na;73,8;18,5\n")));
        Assert.Contains("column 'lon'", e.Message);
    }

    [Fact]
    public void Windows_1252_text_is_refused_naming_the_line_unless_the_encoding_is_given()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var path = SharedData.TempFile("d.csv", Encoding.GetEncoding(1252).GetBytes("name,lon,lat\nKasba office,73.86,18.52\nPéth office,73.85,18.52\n"));

        var e = Assert.Throws<InputException>(() => Read(path));
        Assert.Equal(InputError.Malformed, e.Code);
        Assert.StartsWith("line 3:", e.Message);
        Assert.Contains("not valid UTF-8", e.Message);
        Assert.Contains("E9", e.Message);
        Assert.Contains("--encoding", e.Message);

        var features = Read(path, Encoding.GetEncoding(1252));
        Assert.Equal("Péth office", Attributes(features[1]).GetProperty("name").GetString());
    }

    [Fact]
    public void A_bad_byte_far_into_a_large_file_is_reported_at_its_own_line()
    {
        var text = new StringBuilder("name,lon,lat\n");
        for (var i = 0; i < 5000; i++) text.Append("office ").Append(i).Append(",73.85,18.52\n");
        var path = SharedData.TempFile("big.csv", [.. Encoding.UTF8.GetBytes(text.ToString()), (byte)'P', 0xE9, .. "th,73.85,18.52\n"u8]);

        var e = Assert.Throws<InputException>(() => Read(path));
        Assert.StartsWith("line 5002:", e.Message);
    }

    [Fact]
    public void Reading_stops_when_cancelled()
    {
        using var reader = new CsvReader(SharedData.Path("pune/pune-admin-ward-offices.csv"), new ReaderOptions());
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => reader.Read(cancelled.Token).First());
    }

    [Fact]
    public void Coordinates_in_metres_are_refused_on_import_with_a_CRS_hint_and_read_once_the_CRS_is_given()
    {
        // The reader leaves range checks to the import, which applies --crs first: metres with --crs must still import.
        var path = SharedData.TempFile("m.csv", "name,x,y\nShaniwar Wada,8221000,2098000\n");
        using (var layer = LayerFile.Open(path, "m.csv", new IngestOptions()))
        {
            var e = Assert.Throws<InputException>(() => layer.Features(CancellationToken.None).ToList());
            Assert.Equal(InputError.Unprocessable, e.Code);
            Assert.Contains("feature 1", e.Message);
            Assert.Contains("--crs EPSG:3857", e.Message);
        }
        using (var layer = LayerFile.Open(path, "m.csv", new IngestOptions(Crs: "EPSG:3857")))
        {
            var point = layer.Features(CancellationToken.None).Single().Geometry!.Coordinate;
            Assert.Equal(73.85, point.X, 0.01);
            Assert.Equal(18.52, point.Y, 0.01);
        }
    }
}
