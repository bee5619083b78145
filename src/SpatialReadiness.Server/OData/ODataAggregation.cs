using Microsoft.OData.UriParser;
using Microsoft.OData.UriParser.Aggregation;
using SpatialReadiness.Core.Features;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.PostGis.Features;
using SpatialReadiness.PostGis.Feeds;

namespace SpatialReadiness.Server.OData;

/// <summary>
/// $apply (OData Data Aggregation), as Power BI and Excel fold "Group By": filter(...) steps, then groupby((p, ...))
/// with or without aggregate(...), or aggregate(...) alone, where an aggregate is "x with sum|average|min|max|countdistinct
/// as Alias" or "$count as Alias". Grouping and aggregation run in PostGIS (<see cref="Aggregates"/>); $orderby, $top,
/// $skip and $count apply to the groups. Any other transformation is answered 501, naming it.
/// </summary>
public sealed class ODataAggregation(Aggregates aggregates, ODataJson settings)
{
    internal async Task<IResult?> WriteAsync(HttpContext http, string root, ODataService service, RecordSet? record, ODataRequest request,
        (FeatureFilter? Filter, List<FeatureSource> Sources) condition, CancellationToken cancellationToken)
    {
        if (request.Filter is not null || request.Search is not null)
            throw new NotSupportedException("$filter or $search beside $apply (they would apply to the groups): put the condition in $apply, as filter(...)/groupby(...).");
        if (request.Select is not null) throw new NotSupportedException("$select beside $apply: the groups have the grouped properties and the aggregates' aliases.");
        var conditions = new List<FeatureFilter>();
        if (condition.Filter is not null) conditions.Add(condition.Filter);
        var translate = ODataQuery.Translation(record);
        Aggregation? aggregation = null;
        foreach (var step in request.Apply!.Transformations)
        {
            if (aggregation is not null) throw new NotSupportedException($"$apply: {step.Kind} after groupby or aggregate is not supported here; put filter(...) first.");
            switch (step)
            {
                case FilterTransformationNode filterStep:
                    conditions.Add(translate.Condition(filterStep.FilterClause.Expression));
                    break;
                case GroupByTransformationNode groupBy:
                    aggregation = new Aggregation(groupBy.GroupingProperties.Select(p => Column(p.Expression, p.Name, p.ChildTransformations.Any(), FieldType.Text)).ToList(),
                        groupBy.ChildTransformations switch
                        {
                            null => [],
                            AggregateTransformationNode aggregate => Aggregates(aggregate),
                            var other => throw new NotSupportedException($"$apply: groupby with {other.Kind} inside is not supported here; use aggregate(...)."),
                        });
                    break;
                case AggregateTransformationNode aggregate:
                    aggregation = new Aggregation([], Aggregates(aggregate));
                    break;
                default:
                    throw new NotSupportedException($"$apply: the transformation {step.Kind} is not supported here; use filter, groupby and aggregate.");
            }
        }
        if (aggregation is null) throw new NotSupportedException("$apply with only filter(...): use $filter for that.");
        var page = ODataFeed.PageOf(http, request);
        var names = aggregation.OutputNames.ToList();
        aggregation = aggregation with
        {
            OrderBy = request.OrderBy.Select(o => names.Contains(o.Property) ? o : throw new ODataFilterException($"$orderby {o.Property}: the groups have {string.Join(", ", names)}.")).ToList(),
            Offset = request.Skip ?? 0,
            Limit = page + 1,
        };
        var filter = conditions.Count == 0 ? null : new AllOf(conditions);
        var rows = new FeatureQuery(condition.Sources) { Filter = filter };
        var recordRows = record is null ? null : new RecordQuery(record) { Filter = filter };
        long? count = !request.Count ? null
            : recordRows is not null ? await aggregates.CountAsync(recordRows, aggregation with { Limit = null, Offset = 0 }, cancellationToken)
            : await aggregates.CountAsync(rows, aggregation with { Limit = null, Offset = 0 }, cancellationToken);
        var groups = recordRows is not null ? aggregates.ReadAsync(recordRows, aggregation, cancellationToken) : aggregates.ReadAsync(rows, aggregation, cancellationToken);
        await using var found = groups.GetAsyncEnumerator(cancellationToken);
        var next = await found.MoveNextAsync(); // the query runs before the answer starts
        await using var json = settings.Begin(http, root, $"{request.Set}({string.Join(",", names)})", count);
        var written = 0;
        var more = false;
        for (; next; next = await found.MoveNextAsync())
        {
            if (written == page) { more = true; break; }
            json.WriteRawValue(found.Current, skipInputValidation: !settings.Validate);
            written++;
        }
        await ODataFeed.EndAsync(json, http, more && (request.Top is null || request.Top > written) ? ODataFeed.NextLink(http, request, written, null) : null, cancellationToken);
        return null;

        List<Aggregate> Aggregates(AggregateTransformationNode node) => node.AggregateExpressions.Select(e => e switch
        {
            AggregateExpression { Method: AggregationMethod.VirtualPropertyCount } count => new Aggregate(AggregateMethod.Count, null, count.Alias),
            AggregateExpression a => new Aggregate(a.Method switch
                {
                    AggregationMethod.Sum => AggregateMethod.Sum,
                    AggregationMethod.Average => AggregateMethod.Average,
                    AggregationMethod.Min => AggregateMethod.Min,
                    AggregationMethod.Max => AggregateMethod.Max,
                    AggregationMethod.CountDistinct => AggregateMethod.CountDistinct,
                    _ => throw new NotSupportedException($"$apply: the aggregation method {a.MethodDefinition?.MethodLabel ?? a.Method.ToString()} is not supported here; use sum, average, min, max, countdistinct or $count."),
                }, Column(a.Expression, null, nested: false, a.Method == AggregationMethod.CountDistinct ? FieldType.Text : FieldType.Number) is var of && a.Method is AggregationMethod.Sum or AggregationMethod.Average && of.Type is not (FieldType.Integer or FieldType.Number)
                    ? throw new ODataFilterException($"$apply: {a.Method.ToString().ToLowerInvariant()} of {of.Name} needs numbers, and {of.Name} is {of.Type}.") : of, a.Alias),
            _ => throw new NotSupportedException($"$apply: {e.AggregateKind} aggregates are not supported here."),
        }).ToList();

        // An open property of Features has no declared type: grouped as text, aggregated as a number (countdistinct: text).
        AggregateColumn Column(SingleValueNode node, string? name, bool nested, FieldType open)
        {
            if (nested) throw new NotSupportedException($"$apply: grouping by a path ({name}/...) is not supported here.");
            var property = node switch
            {
                ConvertNode convert => Column(convert.Source, name, false, open).Name,
                SingleValuePropertyAccessNode p => p.Property.Name,
                SingleValueOpenPropertyAccessNode o => o.Name,
                _ => throw new NotSupportedException($"$apply: only properties can be grouped or aggregated here, not {node.Kind}."),
            };
            return new AggregateColumn(property, TypeOf(service, record, request.Set, property) ?? open);
        }
    }

    /// <summary>What a property holds: a record set's column type, a typed set's field type, or null for Features' open properties.</summary>
    private static FieldType? TypeOf(ODataService service, RecordSet? record, string set, string property)
    {
        if (record is not null)
            return record.Properties.First(p => p.Name == property).Type switch
            {
                RecordType.Integer => FieldType.Integer,
                RecordType.Number => FieldType.Number,
                RecordType.Boolean => FieldType.Boolean,
                _ => FieldType.Text,
            };
        return property switch
        {
            "Id" or "LayerId" => FieldType.Integer,
            "AreaM2" => FieldType.Number,
            "City" or "Layer" or "Kind" => FieldType.Text,
            _ when FeatureSets.Property(property) is not Field => throw new NotSupportedException($"$apply: {property} (geometry) cannot be grouped or aggregated."),
            _ => FeatureSets.TypedFields(set, service)?.FirstOrDefault(f => f.Name == property)?.Type,
        };
    }
}
