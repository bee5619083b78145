using NetTopologySuite.Geometries;
using SpatialReadiness.Core.Features;
using SpatialReadiness.Server.OgcFeatures.Cql2;

namespace SpatialReadiness.Unit.Tests.OgcFeatures;

/// <summary>CQL2 text into the shared filter model, and the errors a client sees (with positions) when it is wrong.</summary>
public sealed class Cql2TextParserTests
{
    private static readonly Cql2TextParser Parser = new(["wardnum", "Name1", "Ward No", "status", "area"]);

    private static FeatureFilter Parse(string text) => Parser.Parse(text);

    [Fact]
    public void Comparisons_become_comparisons_with_typed_literals()
    {
        Assert.Equal(new Comparison(new Field("wardnum"), ComparisonOperator.Equal, new Literal(5L)), Parse("wardnum = 5"));
        Assert.Equal(new Comparison(new Field("wardnum"), ComparisonOperator.NotEqual, new Literal(5L)), Parse("wardnum <> 5"));
        Assert.Equal(new Comparison(new Field("area"), ComparisonOperator.Less, new Literal(2.5m)), Parse("area < 2.5"));
        Assert.Equal(new Comparison(new Field("area"), ComparisonOperator.LessOrEqual, new Literal(-3L)), Parse("area <= -3"));
        Assert.Equal(new Comparison(new Field("wardnum"), ComparisonOperator.Greater, new Literal(10L)), Parse("wardnum>10"));
        Assert.Equal(new Comparison(new Field("Name1"), ComparisonOperator.GreaterOrEqual, new Literal("It's")), Parse("Name1 >= 'It''s'"));
        Assert.Equal(new Comparison(new Field("Ward No"), ComparisonOperator.Equal, new Literal(true)), Parse("\"Ward No\" = TRUE"));
        Assert.Equal(new Comparison(new Field("status"), ComparisonOperator.Greater, new Literal(new DateOnly(2024, 1, 31))), Parse("status > DATE('2024-01-31')"));
    }

    [Fact]
    public void And_binds_tighter_than_or_and_not_tighter_than_and()
    {
        var a = new Comparison(new Field("wardnum"), ComparisonOperator.Equal, new Literal(1L));
        var b = new Comparison(new Field("wardnum"), ComparisonOperator.Equal, new Literal(2L));
        var c = new Comparison(new Field("wardnum"), ComparisonOperator.Equal, new Literal(3L));
        Assert.Equal(new AnyOf([a, new AllOf([b, c])]), Parse("wardnum = 1 OR wardnum = 2 AND wardnum = 3"), new FilterComparer());
        Assert.Equal(new AllOf([new AnyOf([a, b]), c]), Parse("(wardnum = 1 or wardnum = 2) and wardnum = 3"), new FilterComparer());
        Assert.Equal(new AllOf([new Not(a), b]), Parse("NOT wardnum = 1 AND wardnum = 2"), new FilterComparer());
        Assert.Equal(new AllOf([a, b]), Parse("(wardnum = 1) AND (wardnum = 2)"), new FilterComparer()); // how GDAL writes it
    }

    [Fact]
    public void Like_between_in_and_null_tests()
    {
        Assert.Equal(new Like(new Field("Name1"), "%Kothrud%"), Parse("Name1 LIKE '%Kothrud%'"));
        Assert.Equal(new Like(new Field("Name1"), "%kothrud%", IgnoreCase: true), Parse("CASEI(Name1) LIKE CASEI('%Kothrud%')"));
        Assert.Equal(new Like(new Field("Name1"), "%kothrud%", IgnoreCase: true), Parse("Name1 ILIKE '%kothrud%'"));
        Assert.Equal(new Not(new Like(new Field("Name1"), "A%")), Parse("Name1 NOT LIKE 'A%'"));
        Assert.Equal(new AllOf([
            new Comparison(new Field("wardnum"), ComparisonOperator.GreaterOrEqual, new Literal(10L)),
            new Comparison(new Field("wardnum"), ComparisonOperator.LessOrEqual, new Literal(20L))]), Parse("wardnum BETWEEN 10 AND 20"), new FilterComparer());
        Assert.Equal(new In(new Field("status"), [new Literal("notified"), new Literal("recognised")]), Parse("status IN ('notified', 'recognised')"), new FilterComparer());
        Assert.Equal(new Not(new In(new Field("wardnum"), [new Literal(1L)])), Parse("wardnum NOT IN (1)"), new FilterComparer());
        Assert.Equal(new IsNull(new Field("status")), Parse("status IS NULL"));
        Assert.Equal(new Not(new IsNull(new Field("status"))), Parse("status IS NOT NULL"));
        Assert.Equal(new Comparison(new Lower(new Field("Name1")), ComparisonOperator.Equal, new Literal("kothrud")), Parse("CASEI(Name1) = CASEI('Kothrud')"));
    }

    [Fact]
    public void Spatial_functions_take_wkt_and_bbox_literals()
    {
        var point = (Spatial)Parse("S_INTERSECTS(geometry, POINT(73.85 18.52))");
        Assert.Equal(SpatialOperator.Intersects, point.Operator);
        Assert.Equal(new Coordinate(73.85, 18.52), point.Geometry.Coordinate);
        Assert.Equal(4326, point.Geometry.SRID);

        var box = (Spatial)Parse("s_intersects(geometry, BBOX(73.8, 18.5, 73.9, 18.6))");
        Assert.Equal(new Envelope(73.8, 73.9, 18.5, 18.6), box.Geometry.EnvelopeInternal);

        var polygon = (Spatial)Parse("S_WITHIN(geometry, POLYGON((73 18, 74 18, 74 19, 73 19, 73 18)))");
        Assert.Equal(SpatialOperator.Within, polygon.Operator);
        Assert.Equal("Polygon", polygon.Geometry.GeometryType);
        // The literal first: S_WITHIN(A, geometry) means the feature contains A.
        Assert.Equal(SpatialOperator.Contains, ((Spatial)Parse("S_WITHIN(POINT(73.85 18.52), geometry)")).Operator);
        Assert.Equal("MultiPolygon", ((Spatial)Parse("S_DISJOINT(geometry, MULTIPOLYGON(((73 18, 74 18, 74 19, 73 18))))")).Geometry.GeometryType);
        var crosses = Assert.IsType<AllOf>(Parse("S_CROSSES(geometry, LINESTRING(73 18, 74 19)) AND wardnum > 1"));
        Assert.Equal("LineString", Assert.IsType<Spatial>(crosses.Parts[0]).Geometry.GeometryType);
    }

    [Fact]
    public void Geometry_literals_in_epsg_4326_are_read_latitude_first_and_keep_their_crs()
    {
        var latLon = (Spatial)new Cql2TextParser(["wardnum"], 4326, latitudeFirst: true).Parse("S_INTERSECTS(geometry, POINT(18.52 73.85))");
        Assert.Equal(new Coordinate(73.85, 18.52), latLon.Geometry.Coordinate);
        var utm = (Spatial)new Cql2TextParser(["wardnum"], 32643).Parse("S_INTERSECTS(geometry, POINT(373000 2048000))");
        Assert.Equal(32643, utm.Geometry.SRID);
    }

    [Theory]
    [InlineData("wardnum = ", 11, "expected a property name or a value, found the end of the filter")]
    [InlineData("wardnum == 5", 10, "expected a property name or a value, found '='")]
    [InlineData("(wardnum = 5", 13, "expected ')'")]
    [InlineData("wardnum = 5 wardnum = 6", 13, "expected AND, OR or the end of the filter, found 'wardnum'")]
    [InlineData("Name1 = 'Kothrud", 9, "never closed")]
    [InlineData("wardnum BETWEEN 1 OR 2", 19, "expected AND (BETWEEN low AND high)")]
    [InlineData("S_INTERSECTS(geometry, POLYGON((73 18, 74 18)))", 24, "is not valid WKT")]
    [InlineData("S_INTERSECTS(geometry, BBOX(1, 2, 3))", 24, "needs 4 numbers")]
    [InlineData("wardnum = 5 ; DROP TABLE layers", 13, "unexpected character ';'")]
    [InlineData("FOO(wardnum) = 1", 1, "unknown function 'FOO'")]
    [InlineData("", 1, "empty")]
    public void Syntax_errors_name_the_position(string filter, int position, string message)
    {
        var error = Assert.Throws<Cql2Exception>(() => Parse(filter));
        Assert.Equal(position, error.Position);
        Assert.Contains(message, error.Message);
        Assert.Contains($"position {position}", error.Message);
    }

    [Fact]
    public void Unknown_and_sensitive_properties_are_refused_by_name_and_position()
    {
        var error = Assert.Throws<Cql2Exception>(() => new Cql2TextParser(["wardnum"]).Parse("wardnum = 1 AND head_name = 'X'"));
        Assert.Equal(17, error.Position);
        Assert.Contains("unknown property 'head_name'", error.Message);
        Assert.Contains("the queryables are: wardnum, geometry", error.Message);
        Assert.Throws<Cql2Exception>(() => Parse("WARDNUM = 1")); // property names are case-sensitive
    }

    /// <summary>Records holding lists compare the lists by reference; this compares them by content.</summary>
    private sealed class FilterComparer : IEqualityComparer<FeatureFilter>
    {
        public bool Equals(FeatureFilter? x, FeatureFilter? y) => Describe(x) == Describe(y);

        public int GetHashCode(FeatureFilter obj) => Describe(obj).GetHashCode();

        private static string Describe(FeatureFilter? f) => f switch
        {
            AllOf all => "AND[" + string.Join(";", all.Parts.Select(Describe)) + "]",
            AnyOf any => "OR[" + string.Join(";", any.Parts.Select(Describe)) + "]",
            Not not => "NOT[" + Describe(not.Inner) + "]",
            In @in => $"IN[{@in.Value}:{string.Join(";", @in.Values)}]",
            _ => f?.ToString() ?? "null",
        };
    }
}
