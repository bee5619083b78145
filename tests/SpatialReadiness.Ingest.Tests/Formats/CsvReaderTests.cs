using System.Text;
using System.Text.Json;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Ingest.Formats;

namespace SpatialReadiness.Ingest.Tests.Formats;

public sealed class CsvReaderTests
{
    private static List<RawFeature> Read(string path, Encoding? encoding = null)
    {
        using var reader = new CsvReader(path, new ReaderOptions(encoding));
        return reader.Read(CancellationToken.None).ToList();
    }

    [Fact]
    public void Pune_ward_offices_keep_quoted_commas_and_line_breaks()
    {
        var features = Read(SharedData.Path("pune/pune-admin-ward-offices.csv"));
        Assert.Equal(14, features.Count);
        var aundh = JsonDocument.Parse(features[0].AttributesJson).RootElement;
        Assert.Equal("01 Aundh Ward Office", aundh.GetProperty("name").GetString());
        Assert.StartsWith("Electoral Wards: 6,7,8,9,10<br>", aundh.GetProperty("description").GetString());
        Assert.Equal(73.814835, features[0].Geometry!.Coordinate.X, 9);
        Assert.Equal(18.561222, features[0].Geometry!.Coordinate.Y, 9);
    }

    [Fact]
    public void Semicolon_files_with_other_column_names_and_text_ids_are_read()
    {
        var features = Read(SharedData.TempFile("a.csv", "ID;Longitude;Latitude;note\n007;73.85;18.52;\"a;b\"\n008;;;missing\n"));
        Assert.Equal("""{"ID":"007","note":"a;b"}""", features[0].AttributesJson);
        Assert.Null(features[1].Geometry); // stored, and reported by the check
    }

    [Fact]
    public void A_row_with_the_wrong_number_of_fields_is_refused_naming_the_line()
    {
        var e = Assert.Throws<InputException>(() => Read(SharedData.TempFile("b.csv", "name,lon,lat\na,73.8,18.5\nb,73.9\n")));
        Assert.Contains("line 3", e.Message);
    }

    [Fact]
    public void A_coordinate_that_is_not_a_number_is_refused_naming_line_and_column()
    {
        var e = Assert.Throws<InputException>(() => Read(SharedData.TempFile("c.csv", "name,lon,lat\na,73°51',18.5\n")));
        Assert.Contains("line 2", e.Message);
        Assert.Contains("'lon'", e.Message);
    }

    [Fact]
    public void Windows_1252_text_is_refused_unless_the_encoding_is_given()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var path = SharedData.TempFile("d.csv", "");
        File.WriteAllBytes(path, Encoding.GetEncoding(1252).GetBytes("name,lon,lat\nPéth office,73.85,18.52\n"));

        var e = Assert.Throws<InputException>(() => Read(path));
        Assert.Contains("utf-8", e.Message);
        Assert.Contains("--encoding", e.Message);

        var features = Read(path, Encoding.GetEncoding(1252));
        Assert.Contains("Péth", JsonDocument.Parse(features[0].AttributesJson).RootElement.GetProperty("name").GetString());
    }
}
