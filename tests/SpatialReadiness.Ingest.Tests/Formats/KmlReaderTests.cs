using System.Text;
using System.Text.Json;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Ingest.Formats;

namespace SpatialReadiness.Ingest.Tests.Formats;

public sealed class KmlReaderTests
{
    private static List<RawFeature> Read(string path, ReaderOptions? options = null) => Read(path, out _, options);

    private static List<RawFeature> Read(string path, out KmlReader reader, ReaderOptions? options = null)
    {
        reader = new KmlReader(path, options ?? new ReaderOptions());
        try { return reader.Read(CancellationToken.None).ToList(); }
        finally { reader.Dispose(); }
    }

    private static string Kml(string placemarks, string ns = " xmlns=\"http://www.opengis.net/kml/2.2\"") =>
        SharedData.TempFile("t.kml", $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <kml{ns}><Document>
            {placemarks}
            </Document></kml>
            """);

    private static JsonElement Attributes(RawFeature feature) => JsonDocument.Parse(feature.AttributesJson).RootElement;

    [Fact]
    public void Chennai_wards_bring_typed_SchemaData_attributes()
    {
        var features = Read(SharedData.Path("chennai/Wards.kml"), out var reader);
        Assert.Equal(201, features.Count);
        Assert.All(features, f => Assert.Equal("Polygon", f.Geometry!.GeometryType));
        var first = JsonDocument.Parse(features[0].AttributesJson).RootElement;
        Assert.Equal(119, first.GetProperty("Ward_No").GetInt32());        // typed from SimpleField type="int"
        Assert.Equal(JsonValueKind.Number, first.GetProperty("Ward_No").ValueKind);
        Assert.Equal("TEYNAMPET", first.GetProperty("Zone_Name").GetString());
        Assert.Equal("IX", first.GetProperty("Zone_No").GetString());      // type="string" stays text
        Assert.Equal(0.000115, first.GetProperty("AREA").GetDouble());
        Assert.Equal(["Zone_No", "Ward_No", "Zone_Name", "AREA", "PERIMETER"], reader.Fields);
        Assert.Equal("EPSG:4326", reader.DeclaredCrs!.Label);
        Assert.Equal(80.2708986703194, features[0].Geometry!.Coordinates[0].X, 10);
        Assert.Equal(13.0475259285181, features[0].Geometry!.Coordinates[0].Y, 10);
        Assert.True(double.IsNaN(features[0].Geometry!.Coordinates[0].Z));
    }

    [Fact]
    public void Mumbai_wards_read_with_every_feature_name_and_gid()
    {
        var features = Read(SharedData.Path("mumbai/BMC_Wards.kml"), out var reader);
        Assert.Equal(24, features.Count);
        Assert.Equal("A", Attributes(features[0]).GetProperty("name").GetString());
        Assert.Equal(1, Attributes(features[0]).GetProperty("gid").GetInt32());
        Assert.Equal(["name", "gid"], reader.Fields);
        Assert.All(features, f => Assert.Equal("MultiPolygon", f.Geometry!.GeometryType));
    }

    [Fact]
    public void Names_Data_values_and_multi_geometries_are_read()
    {
        var features = Read(Kml("""
            <Folder><Folder>
              <Placemark id="p1"><name>Office</name><description>Ward office</description>
                <ExtendedData><Data name="ward"><displayName>Ward</displayName><value>7</value></Data></ExtendedData>
                <Point><coordinates>73.85,18.52,0</coordinates></Point></Placemark>
            </Folder></Folder>
            <Placemark><name>Two parks</name><MultiGeometry>
              <Polygon><outerBoundaryIs><LinearRing><coordinates>73.8,18.5 73.81,18.5 73.81,18.51 73.8,18.5</coordinates></LinearRing></outerBoundaryIs></Polygon>
              <Polygon><outerBoundaryIs><LinearRing><coordinates>73.9,18.5 73.91,18.5 73.91,18.51 73.9,18.5</coordinates></LinearRing></outerBoundaryIs></Polygon>
            </MultiGeometry></Placemark>
            <Placemark><name>Mixed</name><MultiGeometry>
              <Point><coordinates>73.8,18.5</coordinates></Point>
              <LineString><coordinates>73.8,18.5 73.9,18.6</coordinates></LineString>
            </MultiGeometry></Placemark>
            """));
        Assert.Equal("p1", features[0].SourceId);
        Assert.Equal("""{"name":"Office","description":"Ward office","ward":"7"}""", features[0].AttributesJson);
        Assert.Equal(73.85, features[0].Geometry!.Coordinate.X);
        Assert.Equal(18.52, features[0].Geometry!.Coordinate.Y);
        Assert.Null(features[1].SourceId);
        Assert.Equal("MultiPolygon", features[1].Geometry!.GeometryType);
        Assert.Equal("GeometryCollection", features[2].Geometry!.GeometryType);
    }

    [Fact]
    public void Holes_rings_and_lines_are_read_without_a_namespace()
    {
        var features = Read(Kml("""
            <Placemark><Polygon>
              <outerBoundaryIs><LinearRing><coordinates>0,0 10,0 10,10 0,10 0,0</coordinates></LinearRing></outerBoundaryIs>
              <innerBoundaryIs><LinearRing><coordinates>2,2 3,2 3,3 2,2</coordinates></LinearRing></innerBoundaryIs>
            </Polygon></Placemark>
            <Placemark><LinearRing><coordinates>0,0 1,0 1,1 0,0</coordinates></LinearRing></Placemark>
            <Placemark><LineString><coordinates>
              73.8,18.5,100
              73.9,18.6,100
            </coordinates></LineString></Placemark>
            <Placemark><name>no geometry</name></Placemark>
            """, ns: ""));
        Assert.Equal(1, ((NetTopologySuite.Geometries.Polygon)features[0].Geometry!).NumInteriorRings);
        Assert.Equal("LineString", features[1].Geometry!.GeometryType);
        Assert.True(((NetTopologySuite.Geometries.LineString)features[1].Geometry!).IsClosed);
        Assert.Equal(2, features[2].Geometry!.NumPoints);
        Assert.Null(features[3].Geometry);
    }

    [Fact]
    public void A_self_intersecting_polygon_is_returned_as_it_is()
    {
        var features = Read(Kml("""<Placemark><Polygon><outerBoundaryIs><LinearRing><coordinates>0,0 1,1 1,0 0,1 0,0</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>"""));
        var polygon = features[0].Geometry!;
        Assert.False(polygon.IsValid);
        Assert.Equal(5, polygon.NumPoints);
        Assert.Equal(new NetTopologySuite.Geometries.Coordinate(1, 1), polygon.Coordinates[1]);
    }

    [Fact]
    public void Descriptions_keep_CDATA_and_unescaped_HTML()
    {
        var features = Read(Kml("""
            <Placemark><name>a &amp; b</name><description><![CDATA[<b>Ward</b> 7]]></description><Point><coordinates>73.8,18.5</coordinates></Point></Placemark>
            <Placemark><description>Office<br/>Pune</description><Point><coordinates>73.8,18.5</coordinates></Point></Placemark>
            """));
        Assert.Equal("a & b", Attributes(features[0]).GetProperty("name").GetString());
        Assert.Equal("<b>Ward</b> 7", Attributes(features[0]).GetProperty("description").GetString());
        Assert.StartsWith("Office<br", Attributes(features[1]).GetProperty("description").GetString());
        Assert.EndsWith("Pune", Attributes(features[1]).GetProperty("description").GetString());
    }

    [Fact]
    public void Broken_XML_is_refused_naming_the_line()
    {
        var e = Assert.Throws<InputException>(() => Read(SharedData.TempFile("b.kml", "<kml>\n<Placemark>\n<name>x</nam>\n</Placemark></kml>")));
        Assert.Equal(InputError.Malformed, e.Code);
        Assert.Contains("line 3", e.Message);
    }

    [Fact]
    public void A_ring_that_is_not_closed_is_closed_by_repeating_its_first_vertex_and_the_placemark_keeps_the_note()
    {
        var features = Read(Kml("""
            <Placemark><Point><coordinates>73.8,18.5</coordinates></Point></Placemark>
            <Placemark><Polygon><outerBoundaryIs><LinearRing><coordinates>0,0 1,0 1,1 0,1</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
            """));
        Assert.Null(features[0].GeometryNote);
        var polygon = Assert.IsType<NetTopologySuite.Geometries.Polygon>(features[1].Geometry);
        Assert.Equal(5, polygon.ExteriorRing.NumPoints);
        Assert.Equal(1.0, polygon.Area, 9);
        Assert.Equal("ring not closed: closed by repeating its first vertex", features[1].GeometryNote);
    }

    [Fact]
    public void A_ring_with_too_few_points_is_stored_padded_with_the_reason()
    {
        var feature = Assert.Single(Read(Kml("""<Placemark><Polygon><outerBoundaryIs><LinearRing><coordinates>0,0 0,0</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>""")));
        var polygon = Assert.IsType<NetTopologySuite.Geometries.Polygon>(feature.Geometry);
        Assert.Equal(4, polygon.ExteriorRing.NumPoints);
        Assert.False(polygon.IsValid);
        Assert.StartsWith("ring with too few points (2;", feature.GeometryNote);
    }

    [Fact]
    public void Coordinates_that_are_not_lon_lat_pairs_are_refused_naming_placemark_and_line()
    {
        var e = Assert.Throws<InputException>(() => Read(Kml("<Placemark><Point><coordinates>73.8 18.5</coordinates></Point></Placemark>")));
        Assert.Equal(InputError.Malformed, e.Code);
        Assert.Contains("Placemark 1 (line 3)", e.Message);
        Assert.Contains("'73.8'", e.Message);
    }

    [Fact]
    public void A_placemark_over_the_vertex_limit_is_refused_naming_it_and_the_limit()
    {
        var path = Kml("""
            <Placemark><Point><coordinates>73.8,18.5</coordinates></Point></Placemark>
            <Placemark><MultiGeometry>
              <LineString><coordinates>0,0 1,1 2,2</coordinates></LineString>
              <LineString><coordinates>0,0 1,1 2,2</coordinates></LineString>
            </MultiGeometry></Placemark>
            """);
        Assert.Equal(2, Read(path, new ReaderOptions(MaxVerticesPerFeature: 6)).Count);
        var e = Assert.Throws<InputException>(() => Read(path, new ReaderOptions(MaxVerticesPerFeature: 5)));
        Assert.Equal(InputError.TooLarge, e.Code);
        Assert.Contains("Placemark 2", e.Message);
        Assert.Contains("more than 5 vertices", e.Message);
    }

    [Fact]
    public void Text_that_is_not_UTF8_is_refused_naming_the_line_unless_the_encoding_is_given()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var path = SharedData.TempFile("w.kml", Encoding.GetEncoding(1252).GetBytes(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kml>\n<Placemark><name>Péth</name>\n<Point><coordinates>73.8,18.5</coordinates></Point></Placemark>\n</kml>"));

        var e = Assert.Throws<InputException>(() => Read(path));
        Assert.Equal(InputError.Malformed, e.Code);
        Assert.StartsWith("line 3:", e.Message);
        Assert.Contains("not valid UTF-8", e.Message);
        Assert.Contains("--encoding", e.Message);

        var features = Read(path, new ReaderOptions(Encoding.GetEncoding(1252)));
        Assert.Equal("Péth", Attributes(features[0]).GetProperty("name").GetString());
    }

    [Fact]
    public void A_declared_windows_1252_file_reads_without_being_told()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var path = SharedData.TempFile("d.kml", Encoding.GetEncoding(1252).GetBytes(
            "<?xml version=\"1.0\" encoding=\"windows-1252\"?>\n<kml><Placemark><name>Péth</name></Placemark></kml>"));
        Assert.Equal("Péth", Attributes(Read(path)[0]).GetProperty("name").GetString());
    }

    [Fact]
    public void Reading_stops_when_cancelled()
    {
        using var reader = new KmlReader(SharedData.Path("chennai/Wards.kml"), new ReaderOptions());
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => reader.Read(cancelled.Token).First());
    }

    [Fact]
    public void Coordinates_outside_lon_lat_range_are_refused_on_import_with_a_hint()
    {
        var path = Kml("<Placemark><Point><coordinates>8221000,2098000</coordinates></Point></Placemark>");
        using var layer = LayerFile.Open(path, "t.kml", new IngestOptions());
        var e = Assert.Throws<InputException>(() => layer.Features(CancellationToken.None).ToList());
        Assert.Equal(InputError.Unprocessable, e.Code);
        Assert.Contains("feature 1", e.Message);
        Assert.Contains("EPSG:3857", e.Message);
    }
}
