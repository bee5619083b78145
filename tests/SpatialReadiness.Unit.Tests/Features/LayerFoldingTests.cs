using SpatialReadiness.Core.Features;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.PostGis.Features;

namespace SpatialReadiness.Unit.Tests.Features;

/// <summary>
/// Conditions on the feature's layer (City, Layer, LayerId, Kind) decided per source layer before SQL: a layer whose
/// condition is false is not read at all, one whose layer condition is true reads with no layer condition left, and
/// what cannot be decided exactly in .NET stays a condition on bound constants, never a per-row read of a field.
/// </summary>
public sealed class LayerFoldingTests
{
    private static readonly LayerInfo[] Layers =
    [
        Layer(1, "pune", "wards", "ward"), Layer(2, "pune", "slums", "slum"), Layer(3, "agra", "wards", "ward"), Layer(4, "agra", "ward_2011", "ward"),
    ];

    internal static LayerInfo Layer(long id, string city, string name, string kind) =>
        new(id, city, name, kind, name, null, "CC BY 4.0", null, null, null, false, 1, "GeoJSON", "EPSG:4326", 3, 0, 0,
            ["households"], new Dictionary<string, string>(), [], null,
            new LayerProvenance(1, "f", new string('0', 64), 1, "GeoJSON", "EPSG:4326", 3, "CC BY 4.0", "x", null, DateTimeOffset.UnixEpoch),
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    private static readonly LayerProperty City = new(LayerFact.City), Name = new(LayerFact.Layer), Id = new(LayerFact.LayerId), Kind = new(LayerFact.Kind);

    private static Comparison Is(Operand left, object? value, ComparisonOperator op = ComparisonOperator.Equal) => new(left, op, new Literal(value));

    private static readonly Comparison Households = new(new Field("households"), ComparisonOperator.Greater, new Literal(5L));

    private static FeatureQuery Query(FeatureFilter filter) => new(Layers.Select(l => FeatureSource.AsIs(l)).ToList()) { Filter = filter };

    private static List<long> Read(FeatureFilter filter) => FeatureReader.Read(Query(filter)).Select(r => r.Source.Layer.Id).ToList();

    public static TheoryData<string, FeatureFilter, long[]> Choices => new()
    {
        { "City eq 'pune'", Is(City, "pune"), [1, 2] },
        { "'pune' eq City", new Comparison(new Literal("pune"), ComparisonOperator.Equal, City), [1, 2] },
        { "City ne 'pune'", Is(City, "pune", ComparisonOperator.NotEqual), [3, 4] },
        { "City eq 'pune' or City eq 'agra'", new AnyOf([Is(City, "pune"), Is(City, "agra")]), [1, 2, 3, 4] },
        { "City in ('agra', 'nowhere')", new In(City, [new Literal("agra"), new Literal("nowhere")]), [3, 4] },
        { "not (City eq 'pune')", new Not(Is(City, "pune")), [3, 4] },
        { "Kind eq 'ward' and Layer eq 'wards'", new AllOf([Is(Kind, "ward"), Is(Name, "wards")]), [1, 3] },
        { "LayerId gt 2", Is(Id, 2L, ComparisonOperator.Greater), [3, 4] },
        { "LayerId in (1, 4)", new In(Id, [new Literal(1), new Literal(4L)]), [1, 4] },
        { "startswith(City, 'pu')", new Like(City, "pu%"), [1, 2] },
        { "Layer like 'ward\\_%' (escaped _)", new Like(Name, @"ward\_%"), [4] },
        { "Layer like 'ward_' (any one character)", new Like(Name, "ward_"), [1, 3] },
        { "City eq null", Is(City, null), [] },
        { "City ne null", Is(City, null, ComparisonOperator.NotEqual), [1, 2, 3, 4] },
        { "City eq 'PUNE' (case counts)", Is(City, "PUNE"), [] },
        { "Kind eq 'slum' and City eq 'agra'", new AllOf([Is(Kind, "slum"), Is(City, "agra")]), [] },
    };

    [Theory]
    [MemberData(nameof(Choices))]
    public void A_condition_on_layer_facts_reads_only_the_layers_it_allows(string odata, FeatureFilter filter, long[] expected)
    {
        Assert.True(expected.SequenceEqual(Read(filter)), $"{odata}: read {string.Join(",", Read(filter))}, expected {string.Join(",", expected)}");
    }

    [Fact]
    public void A_decided_layer_choice_leaves_only_the_row_condition_in_the_SQL()
    {
        var parameters = new SqlParameters();
        var sql = FeatureReader.Union(Query(new AllOf([Is(City, "pune"), Households])), parameters);
        Assert.Equal(2, sql.Split("UNION ALL").Length);
        Assert.DoesNotContain(parameters.All, p => p.Value is "pune");
        Assert.Contains(parameters.All, p => p.Value is "households");
    }

    [Fact]
    public void Each_layer_keeps_what_its_own_facts_leave_open()
    {
        var filter = new AnyOf([Is(City, "pune"), Households]);
        var read = FeatureReader.Read(Query(filter)).ToDictionary(r => r.Source.Layer.Id, r => r.Filter);
        Assert.Equal([1, 2, 3, 4], read.Keys.Order());
        Assert.IsType<AllOf>(read[1]);
        Assert.Empty(((AllOf)read[1]!).Parts); // true: every row of the layer
        Assert.Equal(Households, Assert.Single(Assert.IsType<AnyOf>(read[3]).Parts));
    }

    [Fact]
    public void What_is_not_decided_in_dotnet_is_a_condition_on_the_layers_value_not_on_a_row()
    {
        // Text order is the database's collation, and tolower its locale's: PostgreSQL compares the two constants once.
        foreach (var filter in new FeatureFilter[] { Is(City, "m", ComparisonOperator.Greater), Is(new Lower(City), "pune") })
        {
            Assert.Equal([1, 2, 3, 4], Read(filter));
            var parameters = new SqlParameters();
            var sql = FeatureReader.Union(Query(filter), parameters);
            Assert.DoesNotContain("->>", sql); // no field of a row is read
            Assert.Contains(parameters.All, p => p.Value is "pune");
            Assert.Contains(parameters.All, p => p.Value is "agra");
        }
    }

    [Fact]
    public void A_query_that_reads_no_layer_is_an_empty_row_set_with_the_same_columns()
    {
        var sql = FeatureReader.Union(Query(Is(City, "nowhere")), new SqlParameters());
        Assert.Equal("SELECT NULL::bigint AS id, NULL::bigint AS layer_id, NULL::jsonb AS properties, NULL::geometry AS geom WHERE FALSE", sql);
    }

    [Fact]
    public void A_value_the_SQL_builder_refuses_is_still_refused()
    {
        // A NUL character cannot be stored text: the comparison is left to FilterSql, which answers 400 before SQL runs.
        Assert.Throws<InputException>(() => FeatureReader.Check(Query(Is(City, "pu\0ne"))));
        Assert.Throws<InputException>(() => FeatureReader.Check(Query(new Like(Name, @"wards\"))));
    }
}
