using SpatialReadiness.Core.Features;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.PostGis.Features;
using SpatialReadiness.Server.OData;

namespace SpatialReadiness.Unit.Tests.OData;

/// <summary>
/// OData query options into the shared filter model, against a reader's model of two layers: $filter becomes the same
/// <see cref="FeatureFilter"/> CQL2 gives, City/Layer/Kind are facts of each feature's layer, and what cannot be
/// translated is an <see cref="ODataFilterException"/> (400), never a silently wider answer.
/// </summary>
public sealed class ODataTranslationTests
{
    private const string Root = "http://host/odata/";

    private static LayerInfo Layer(long id, string name, string kind, params string[] fields) =>
        new(id, "pune", name, kind, name, null, "CC BY 4.0", null, null, null, false, 1, "GeoJSON", "EPSG:4326", 3, 0, 0,
            fields, new Dictionary<string, string>(), [], null,
            new LayerProvenance(1, "f", new string('0', 64), 1, "GeoJSON", "EPSG:4326", 3, "CC BY 4.0", "x", null, DateTimeOffset.UnixEpoch),
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    private static readonly ODataService Service = Build(Layer(1, "wards", "ward", "Ward No", "ward_name"), Layer(2, "slums", "slum", "slum_id", "ward_no", "households"));

    private static ODataService Build(params LayerInfo[] layers)
    {
        var sets = layers.ToDictionary(l => $"pune_{l.Name}",
            l => new LayerSet($"pune_{l.Name}", l, FeatureSets.OpenFields(l)
                .Select(f => new TypedField(f.Key, f.Value, f.Value is "households" or "ward_no" ? FieldType.Integer : FieldType.Text)).ToList()));
        return new ODataService(ODataModel.Build(sets.Values), layers, sets);
    }

    private static List<FeatureSource> Sources(string set) => FeatureSets.Sources(set, Service);

    private static (FeatureFilter? Filter, List<string> Layers) Translate(string set, string query)
    {
        var names = query.TrimStart('?').Split('&').Select(p => Uri.UnescapeDataString(p.Split('=')[0]));
        var request = ODataRequest.Parse(Service.Model, Root, set, query, names);
        var (filter, sources) = ODataQuery.Condition(Service, null, request);
        return (filter, sources.Select(s => s.Layer.Name).ToList());
    }

    [Fact]
    public void A_comparison_on_a_layer_set_reads_the_layers_own_field()
    {
        var (filter, layers) = Translate("pune_wards", "?$filter=ward_name eq 'Kasba'");
        Assert.Equal(["wards"], layers);
        Assert.Equal(new Comparison(new Field("ward_name"), ComparisonOperator.Equal, new Literal("Kasba")), Assert.Single(Assert.IsType<AllOf>(filter).Parts));
    }

    [Fact]
    public void City_layer_and_kind_are_facts_of_the_layer_in_the_filter_which_choose_the_layers_read()
    {
        var (filter, layers) = Translate("Features", "?$filter=City eq 'pune' and (Layer eq 'wards' or Kind in ('asset')) and Id gt 10");
        Assert.Equal(["wards", "slums"], layers); // every readable layer of the set; the SQL builder decides which are read
        var all = Assert.IsType<AllOf>(Assert.Single(Assert.IsType<AllOf>(filter).Parts));
        Assert.Equal(new Comparison(new LayerProperty(LayerFact.City), ComparisonOperator.Equal, new Literal("pune")), Assert.IsType<AllOf>(all.Parts[0]).Parts[0]);
        var read = FeatureReader.Read(new FeatureQuery(Sources("Features")) { Filter = filter });
        var (source, rows) = Assert.Single(read);
        Assert.Equal("wards", source.Layer.Name);
        Assert.Equal(new Comparison(new FeatureId(), ComparisonOperator.Greater, new Literal(10L)), Assert.Single(Assert.IsType<AllOf>(Assert.Single(Assert.IsType<AllOf>(rows).Parts)).Parts));
    }

    [Fact]
    public void Geometry_columns_cannot_be_filtered_on()
    {
        var e = Assert.Throws<ODataFilterException>(() => Translate("Features", "?$filter=Wkt eq 'POINT(1 2)'"));
        Assert.Contains("Wkt", e.Message);
    }

    [Fact]
    public void Functions_and_logic_become_the_shared_model()
    {
        var (filter, _) = Translate("pune_slums", "?$filter=not (startswith(slum_id,'S') or households lt 5)");
        var not = Assert.IsType<Not>(Assert.Single(Assert.IsType<AllOf>(filter).Parts));
        var any = Assert.IsType<AnyOf>(not.Inner);
        Assert.Equal(new Like(new Field("slum_id"), "S%"), any.Parts[0]);
        Assert.IsType<Comparison>(any.Parts[1]);
    }

    [Fact]
    public void A_filter_nested_past_the_limit_is_refused()
    {
        var deep = string.Concat(Enumerable.Repeat("not (", ODataFilter.MaxDepth + 1)) + "households lt 5" + new string(')', ODataFilter.MaxDepth + 1);
        Assert.Throws<ODataFilterException>(() => Translate("pune_slums", "?$filter=" + Uri.EscapeDataString(deep)));
    }
}
