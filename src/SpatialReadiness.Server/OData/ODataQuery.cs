using SpatialReadiness.Core.Features;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.PostGis.Features;
using SpatialReadiness.PostGis.Feeds;

namespace SpatialReadiness.Server.OData;

/// <summary>
/// An OData read (<see cref="ODataRequest"/>) as the shared query model PostGIS runs, as <see cref="OgcFeatures.ItemsRequest"/>
/// is for OGC API: $filter, $search and the key become one <see cref="FeatureFilter"/>, in which City, Layer, LayerId
/// and Kind are facts of the feature's layer (the SQL builder decides them per layer and reads only the layers they
/// allow); $orderby, $skip, $skiptoken, $top (within a page) and $select the rest. Nothing here reads or writes;
/// <see cref="ODataFeed"/> runs the query and writes the answer.
/// </summary>
internal static class ODataQuery
{
    /// <summary>The condition of $filter, $search and the key; for feature sets, every layer of the set the reader may read as well.</summary>
    public static (FeatureFilter? Filter, List<FeatureSource> Sources) Condition(ODataService service, RecordSet? record, ODataRequest request)
    {
        var conditions = new List<FeatureFilter>();
        var sources = record is null ? FeatureSets.Sources(request.Set, service) : [];
        if (request.Filter is not null)
            conditions.Add(Translation(record).Condition(request.Filter.Expression));
        if (request.Search is not null)
        {
            var text = record is not null ? record.Properties.Where(p => p.Type == RecordType.Text).Select(p => p.Name).ToList()
                : FeatureSets.TypedFields(request.Set, service) is { } typed ? typed.Where(f => f.Type == FieldType.Text).Select(f => f.Name).ToList()
                : sources.SelectMany(s => s.Fields.Keys).Distinct().ToList();
            conditions.Add(ODataFilter.Search(request.Search.Expression, text));
        }
        if (request.Key is not null)
            conditions.Add(new Comparison(record is null ? new FeatureId() : new Field(record.Key), ComparisonOperator.Equal, new Literal(request.Key)));
        return (conditions.Count == 0 ? null : new AllOf(conditions), sources);
    }

    /// <summary>$filter on a record set's columns, or on a feature set's fields, id, area and layer facts.</summary>
    public static ODataFilter Translation(RecordSet? record) =>
        record is null ? new ODataFilter(FeatureSets.Property) : new ODataFilter(name => record.Has(name) ? new Field(name) : null);

    /// <summary>A feature set's page of at most <paramref name="page"/> rows (one more, to know whether more follow).</summary>
    public static FeatureQuery Features(ODataService service, ODataRequest request, int page)
    {
        var (filter, sources) = Condition(service, null, request);
        var order = request.OrderBy.Select(o => new SortKey(FeatureSets.Property(o.Property) is { } by and (Field or FeatureId or AreaOf) ? by
            : throw new ODataFilterException($"$orderby {o.Property} is not supported; order by Id, AreaM2 or a field."), o.Descending)).ToList();
        return new FeatureQuery(sources)
        {
            Filter = filter,
            OrderBy = order,
            AfterId = order.Count == 0 ? request.SkipToken : null,
            Offset = request.Key is null ? request.Skip ?? 0 : 0,
            Limit = request.Key is null ? page + 1 : 1,
            Geometry = ODataEntityWriter.GeometryWanted(request.Select),
            // Only the chosen fields are built in SQL (and the ones sorted on, which must be there to sort by).
            Select = request.Select?.Concat(order.Select(o => o.By).OfType<Field>().Select(f => f.Name)).Distinct().ToList(),
        };
    }

    /// <summary>A record set's page of at most <paramref name="page"/> rows (one more, to know whether more follow).</summary>
    public static RecordQuery Records(ODataService service, RecordSet set, ODataRequest request, int page) => new(set)
    {
        Filter = Condition(service, set, request).Filter,
        OrderBy = request.OrderBy.Select(o => set.Has(o.Property) ? (o.Property, o.Descending) : throw new ODataFilterException($"$orderby {o.Property}: {set.Name} has no such property.")).ToList(),
        Offset = request.Key is null ? request.Skip ?? 0 : 0,
        Limit = request.Key is null ? page + 1 : 1,
    };
}
