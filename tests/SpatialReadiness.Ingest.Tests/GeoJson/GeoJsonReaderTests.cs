using System.Globalization;
using System.Text;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Ingest.Formats;

namespace SpatialReadiness.Ingest.Tests.GeoJson;

public sealed class GeoJsonReaderTests
{
    private static List<RawFeature> Read(string json, out GeoJsonReader reader)
    {
        var path = Path.Combine(Path.GetTempPath(), "srd-geojson-" + Guid.NewGuid().ToString("N") + ".geojson");
        File.WriteAllText(path, json, new UTF8Encoding(false));
        reader = new GeoJsonReader(path, new ReaderOptions());
        return reader.Read(CancellationToken.None).ToList();
    }

    [Fact]
    public void Features_keep_their_properties_ids_and_geometry_types()
    {
        var features = Read("""
            {"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::32643"}},"features":[
              {"type":"Feature","id":7,"properties":{"ward_no":"007","area":1.5,"tags":{"a":[1,2]}},"geometry":{"type":"Point","coordinates":[379172.39,2048045.97,560]}},
              {"type":"Feature","id":"w-2","properties":null,"geometry":null},
              {"type":"Feature","properties":{},"geometry":{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},{"type":"LineString","coordinates":[[1,2],[3,4]]}]}},
              {"geometry":{"coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]],"type":"MultiPolygon"},"type":"Feature","properties":{"x":true}}
            ]}
            """, out var reader);

        Assert.Equal(4, features.Count);
        Assert.Equal("EPSG:32643", reader.DeclaredCrs!.Label);
        Assert.Equal("7", features[0].SourceId);
        Assert.Equal("""{"ward_no":"007","area":1.5,"tags":{"a":[1,2]}}""", features[0].AttributesJson);
        Assert.Equal("Point", features[0].Geometry!.GeometryType);
        Assert.True(double.IsNaN(features[0].Geometry!.Coordinate.Z)); // Z dropped
        Assert.Null(features[1].Geometry);
        Assert.Equal("w-2", features[1].SourceId);
        Assert.Equal("GeometryCollection", features[2].Geometry!.GeometryType);
        Assert.Equal("MultiPolygon", features[3].Geometry!.GeometryType);
        Assert.Equal(["ward_no", "area", "tags", "x"], reader.Fields);
    }

    [Fact]
    public void Newline_delimited_features_are_read_one_per_line()
    {
        var lines = string.Join("\n", Enumerable.Range(1, 3).Select(i =>
            $"{{\"type\":\"Feature\",\"properties\":{{\"n\":{i}}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[73.{i},18.5]}}}}"));
        var features = Read(lines + "\n", out var reader);
        Assert.Equal("GeoJSONSeq", reader.Format);
        Assert.Equal([1L, 2L, 3L], features.Select(f => f.Ordinal));
        Assert.Equal(73.3, features[2].Geometry!.Coordinate.X, 9);
    }

    [Fact]
    public void Features_larger_than_the_read_buffer_stream_through()
    {
        var ring = string.Join(",", Enumerable.Range(0, 60_000).Select(i => string.Create(CultureInfo.InvariantCulture,
            $"[{73.8 + 0.01 * Math.Cos(i * 2 * Math.PI / 60_000):0.0000000},{18.5 + 0.01 * Math.Sin(i * 2 * Math.PI / 60_000):0.0000000}]")));
        var polygon = $"{{\"type\":\"Feature\",\"properties\":{{}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[[{ring},[73.81,18.5]]]}}}}";
        var features = Read("{\"type\":\"FeatureCollection\",\"features\":[" + polygon + "," + polygon + "]}", out _);
        Assert.Equal(2, features.Count);
        Assert.Equal(60_001, features[1].Geometry!.NumPoints);
    }

    [Fact]
    public void An_unclosed_ring_is_refused_naming_the_feature()
    {
        var e = Assert.Throws<InputException>(() => Read(
            """{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1]]]}}]}""", out _));
        Assert.Contains("feature 1", e.Message);
        Assert.Contains("Polygon", e.Message);
    }

    [Fact]
    public void Text_that_is_not_UTF_8_is_refused()
    {
        var path = Path.Combine(Path.GetTempPath(), "srd-latin1-" + Guid.NewGuid().ToString("N") + ".geojson");
        var bytes = Encoding.Latin1.GetBytes("""{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Péth"},"geometry":null}]}""");
        File.WriteAllBytes(path, bytes);
        using var reader = new GeoJsonReader(path, new ReaderOptions());
        var e = Assert.Throws<InputException>(() => reader.Read(CancellationToken.None).ToList());
        Assert.Contains("UTF-8", e.Message);
    }
}
