using NetTopologySuite.Geometries;
using NpgsqlTypes;
using SpatialReadiness.Core.Features;
using SpatialReadiness.PostGis.Features;

namespace SpatialReadiness.Unit.Tests.Features;

/// <summary>
/// The filter model as SQL text (PostGis' FilterSql), without running it: every value a client sends is a bound
/// parameter, never text in the statement, whatever it contains; fields are read from the jsonb attributes by a bound
/// key; and what PostgreSQL could not evaluate is refused before any SQL runs.
/// </summary>
public sealed class FilterSqlTests
{
    private static readonly Dictionary<string, string> Keys = new() { ["ward_no"] = "Ward No", ["name"] = "name", ["when"] = "surveyed" };

    private static (string Sql, SqlParameters Parameters) Render(FeatureFilter filter)
    {
        var parameters = new SqlParameters();
        var sql = new FilterSql(parameters, FilterSql.Attributes(parameters, Keys)).Render(filter);
        return (sql, parameters);
    }

    public static TheoryData<string> Hostile => new()
    {
        "'; DROP TABLE features; --", "x' OR '1'='1", "\\'", "$$; SELECT 1; $$", "ward\"no", "-- comment", "/* c */", "é'ü", "' || pg_sleep(1) || '",
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void A_value_is_bound_never_written_into_the_statement(string value)
    {
        var filters = new FeatureFilter[]
        {
            new Comparison(new Field("name"), ComparisonOperator.Equal, new Literal(value)),
            new Like(new Field("name"), "%" + value + "%", IgnoreCase: true),
            new In(new Field("name"), [new Literal(value), new Literal("other")]),
            new Not(new Comparison(new Literal(value), ComparisonOperator.NotEqual, new Field("ward_no"))),
        };
        foreach (var filter in filters)
        {
            var (sql, parameters) = Render(filter);
            Assert.DoesNotContain(value, sql);
            Assert.DoesNotContain("'", sql);
            if (filter is not Like)
                Assert.Contains(parameters.All, p => p.Value is string s && s == value || p.Value is string[] list && list.Contains(value));
        }
    }

    [Fact]
    public void A_field_is_read_from_the_attributes_by_a_bound_key_and_an_unknown_field_is_null()
    {
        var (sql, parameters) = Render(new Comparison(new Field("ward_no"), ComparisonOperator.Equal, new Literal(5L)));
        Assert.Equal("(sr_number((f.attributes ->> @p0)) = @p1)", sql);
        Assert.Equal("Ward No", parameters.All[0].Value);
        Assert.Equal(NpgsqlDbType.Numeric, parameters.All[1].NpgsqlDbType);

        (sql, _) = Render(new IsNull(new Field("no such field")));
        Assert.Equal("(NULL::text IS NULL)", sql);
    }

    [Fact]
    public void Boolean_structure_is_kept_and_empty_groups_are_constants()
    {
        var a = new Comparison(new Field("name"), ComparisonOperator.Equal, new Literal("a"));
        var b = new IsNull(new Field("ward_no"));
        var (sql, _) = Render(new AnyOf([new AllOf([a, b]), new Not(a)]));
        Assert.Equal("((((f.attributes ->> @p0) = @p1) AND ((f.attributes ->> @p2) IS NULL)) OR (NOT COALESCE(((f.attributes ->> @p3) = @p4), FALSE)))", sql);
        Assert.Equal("TRUE", Render(new AllOf([])).Sql);
        Assert.Equal("FALSE", Render(new AnyOf([])).Sql);
    }

    [Fact]
    public void A_geometry_literal_is_bound_and_brought_to_EPSG_4326_when_in_another_CRS()
    {
        var point = new Point(373000, 2048000) { SRID = 32643 };
        var (sql, parameters) = Render(new Spatial(SpatialOperator.Intersects, point));
        Assert.Equal("ST_Intersects(f.geom, ST_Transform(@p0, 4326))", sql);
        Assert.Same(point, parameters.All[0].Value);
    }

    [Fact]
    public void A_measure_compared_with_text_is_refused_before_any_SQL_runs()
    {
        var e = Assert.Throws<InputException>(() => Render(new Comparison(new AreaOf(), ComparisonOperator.Greater, new Literal("big"))));
        Assert.Equal(InputError.Malformed, e.Code);
        Assert.Contains("mixes types", e.Message);
    }
}
