using System.Text.Json;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Ingest.Formats;

namespace SpatialReadiness.Ingest.Tests.Formats;

public sealed class KmlReaderTests
{
    private static List<RawFeature> Read(string path, out KmlReader reader)
    {
        reader = new KmlReader(path, new ReaderOptions());
        return reader.Read(CancellationToken.None).ToList();
    }

    [Fact]
    public void Chennai_wards_bring_typed_SchemaData_attributes()
    {
        var features = Read(SharedData.Path("chennai/Wards.kml"), out var reader);
        Assert.Equal(201, features.Count);
        Assert.All(features, f => Assert.Equal("Polygon", f.Geometry!.GeometryType));
        var first = JsonDocument.Parse(features[0].AttributesJson).RootElement;
        Assert.Equal(119, first.GetProperty("Ward_No").GetInt32());        // typed from SimpleField type="int"
        Assert.Equal("TEYNAMPET", first.GetProperty("Zone_Name").GetString());
        Assert.Equal(JsonValueKind.Number, first.GetProperty("AREA").ValueKind);
        Assert.Equal(["Zone_No", "Ward_No", "Zone_Name", "AREA", "PERIMETER"], reader.Fields);
        Assert.Equal(80.2708986703194, features[0].Geometry!.Coordinates[0].X, 10);
    }

    [Fact]
    public void Mumbai_wards_read_with_every_feature()
    {
        Assert.Equal(24, Read(SharedData.Path("mumbai/BMC_Wards.kml"), out _).Count);
    }

    [Fact]
    public void Names_Data_values_and_multi_geometries_are_read()
    {
        var features = Read(SharedData.TempFile("a.kml", """
            <?xml version="1.0" encoding="UTF-8"?>
            <kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder>
              <Placemark id="p1"><name>Office</name><description>Ward office</description>
                <ExtendedData><Data name="ward"><value>7</value></Data></ExtendedData>
                <Point><coordinates>73.85,18.52,0</coordinates></Point></Placemark>
              <Placemark><name>Two parks</name><MultiGeometry>
                <Polygon><outerBoundaryIs><LinearRing><coordinates>73.8,18.5 73.81,18.5 73.81,18.51 73.8,18.5</coordinates></LinearRing></outerBoundaryIs></Polygon>
                <Polygon><outerBoundaryIs><LinearRing><coordinates>73.9,18.5 73.91,18.5 73.91,18.51 73.9,18.5</coordinates></LinearRing></outerBoundaryIs></Polygon>
              </MultiGeometry></Placemark>
            </Folder></Document></kml>
            """), out _);
        Assert.Equal("p1", features[0].SourceId);
        Assert.Equal("""{"name":"Office","description":"Ward office","ward":"7"}""", features[0].AttributesJson);
        Assert.Equal("MultiPolygon", features[1].Geometry!.GeometryType);
    }

    [Fact]
    public void Broken_XML_is_refused_naming_the_line()
    {
        var e = Assert.Throws<InputException>(() => Read(SharedData.TempFile("b.kml", "<kml>\n<Placemark>\n<name>x</nam>\n</Placemark></kml>"), out _));
        Assert.Contains("line 3", e.Message);
    }
}
