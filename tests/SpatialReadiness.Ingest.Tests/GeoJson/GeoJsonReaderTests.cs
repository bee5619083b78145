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
    public void Rings_of_any_length_open_or_closed_never_refuse_the_layer_and_say_what_was_wrong()
    {
        // Every ring of 0-6 positions, as written and closed: one feature each, storable by PostGIS (closed, 4 or more
        // points) or stored without geometry, with a note exactly when the ring was not a proper one.
        (double X, double Y)[] square = [(0, 0), (1, 0), (1, 1), (0, 1), (0.5, 1.5), (0, 1.2)];
        var cases = new List<(int Length, bool Closed)>();
        var json = new StringBuilder("""{"type":"FeatureCollection","features":[""");
        for (var length = 0; length <= 6; length++)
            foreach (var closed in new[] { false, true })
            {
                var points = square.Take(length).ToList();
                if (closed && length > 0) points.Add(points[0]);
                if (cases.Count > 0) json.Append(',');
                json.Append("""{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[""")
                    .AppendJoin(",", points.Select(p => string.Create(CultureInfo.InvariantCulture, $"[{p.X},{p.Y}]"))).Append("]]}}");
                cases.Add((length, closed));
            }
        var features = Read(json.Append("]}").ToString(), out _);
        Assert.Equal(cases.Count, features.Count);
        for (var i = 0; i < cases.Count; i++)
        {
            var (length, closed) = cases[i];
            var feature = features[i];
            var proper = closed && length >= 3; // 4 or more positions, the last equal to the first
            Assert.True(proper == (feature.GeometryNote is null), $"ring of {length} positions, closed {closed}: note '{feature.GeometryNote}'");
            if (length == 0)
            {
                Assert.Null(feature.Geometry);
                continue;
            }
            var ring = Assert.IsType<NetTopologySuite.Geometries.Polygon>(feature.Geometry).ExteriorRing;
            Assert.True(ring.IsClosed && ring.NumPoints >= 4, $"ring of {length} positions, closed {closed}: {ring}");
            if (!closed && length > 1) Assert.Contains("ring not closed: closed by repeating its first vertex", feature.GeometryNote);
        }
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
