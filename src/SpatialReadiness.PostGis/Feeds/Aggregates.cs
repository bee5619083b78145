using System.Globalization;
using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.PostGis.Features;

namespace SpatialReadiness.PostGis.Feeds;

public enum AggregateMethod { Sum, Average, Min, Max, CountDistinct, Count }

/// <summary>
/// A property grouped by or aggregated, by the name a feed's clients see, with its type. For features: Id, AreaM2,
/// City, Layer, LayerId, Kind, or a field; for a record set, one of its properties.
/// </summary>
public sealed record AggregateColumn(string Name, FieldType Type);

/// <summary>One aggregate: the method, what it aggregates (none for Count, which counts rows) and the name it comes out under.</summary>
public sealed record Aggregate(AggregateMethod Method, AggregateColumn? Of, string Alias);

/// <summary>Rows grouped by <see cref="GroupBy"/> (none: one group of all rows), each group with <see cref="Aggregates"/>.</summary>
public sealed record Aggregation(IReadOnlyList<AggregateColumn> GroupBy, IReadOnlyList<Aggregate> Aggregates)
{
    /// <summary>Output names (a grouped column's or an aggregate's alias), each ascending or descending.</summary>
    public IReadOnlyList<(string Name, bool Descending)> OrderBy { get; init; } = [];
    public long Offset { get; init; }
    public int? Limit { get; init; }

    public IEnumerable<string> OutputNames => GroupBy.Select(g => g.Name).Concat(Aggregates.Select(a => a.Alias));
}

/// <summary>
/// Groups and aggregates the rows of a feed in PostGIS (OData $apply): each group comes out as one JSON object of its
/// grouped values and aggregates. Sum and average read numbers ("n/a" counts as no value), min and max compare by the
/// column's type, countdistinct counts distinct values.
/// </summary>
public sealed class Aggregates(NpgsqlDataSource dataSource)
{
    public IAsyncEnumerable<string> ReadAsync(FeatureQuery rows, Aggregation aggregation, CancellationToken cancellationToken = default)
    {
        var parameters = new SqlParameters();
        return RunAsync(Grouped(FeatureRows(rows, aggregation, parameters, out var column), aggregation, column, parameters), aggregation, parameters, cancellationToken);
    }

    public IAsyncEnumerable<string> ReadAsync(RecordQuery rows, Aggregation aggregation, CancellationToken cancellationToken = default)
    {
        var parameters = new SqlParameters();
        return RunAsync(Grouped(RecordRows(rows, parameters, out var column), aggregation, column, parameters), aggregation, parameters, cancellationToken);
    }

    /// <summary>How many groups there are, ignoring paging.</summary>
    public async Task<long> CountAsync(FeatureQuery rows, Aggregation aggregation, CancellationToken cancellationToken = default)
    {
        var parameters = new SqlParameters();
        return await CountAsync(Grouped(FeatureRows(rows, aggregation, parameters, out var column), aggregation, column, parameters), parameters, cancellationToken);
    }

    public async Task<long> CountAsync(RecordQuery rows, Aggregation aggregation, CancellationToken cancellationToken = default)
    {
        var parameters = new SqlParameters();
        return await CountAsync(Grouped(RecordRows(rows, parameters, out var column), aggregation, column, parameters), parameters, cancellationToken);
    }

    /// <summary>The features as rows t (with the fields used) joined to their layer's city, name and kind as s.</summary>
    private static string FeatureRows(FeatureQuery rows, Aggregation aggregation, SqlParameters parameters, out Func<AggregateColumn, string> column)
    {
        var fields = aggregation.GroupBy.Concat(aggregation.Aggregates.Select(a => a.Of)).OfType<AggregateColumn>().Select(c => c.Name).Distinct().ToList();
        var union = FeatureReader.Union(rows with { Select = fields, Limit = null, Offset = 0, AfterId = null, OrderBy = [] }, parameters);
        var layers = rows.Sources.Select(s => s.Layer).ToList();
        var facts = string.Join(", ", parameters.Add(layers.Select(l => l.Id).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Bigint),
            parameters.Add(layers.Select(l => l.City).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text),
            parameters.Add(layers.Select(l => l.Name).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text),
            parameters.Add(layers.Select(l => l.Kind).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text));
        column = c => c.Name switch
        {
            "Id" => "t.id",
            "AreaM2" => "ST_Area(t.geom::geography)",
            "City" => "s.city",
            "Layer" => "s.layer",
            "LayerId" => "s.layer_id",
            "Kind" => "s.kind",
            _ => Typed($"(t.properties ->> {parameters.Add(c.Name, NpgsqlDbType.Text)})", c.Type),
        };
        return $"({union}) t JOIN unnest({facts}) s(layer_id, city, layer, kind) ON s.layer_id = t.layer_id";
    }

    private static string RecordRows(RecordQuery rows, SqlParameters parameters, out Func<AggregateColumn, string> column)
    {
        var set = rows.Set;
        // Property names come from the set's own constant list, never from the request, so quoting them is enough.
        column = c => set.Has(c.Name) ? $"t.\"{c.Name}\"" : throw new ArgumentException($"{set.Name} has no property {c.Name}");
        return $"({set.Sql}) t WHERE {RecordReader.Where(rows, parameters)}";
    }

    private static string Typed(string text, FieldType type) => type switch
    {
        FieldType.Integer or FieldType.Number => $"sr_number({text})",
        FieldType.Boolean => $"sr_boolean({text})",
        _ => text,
    };

    /// <summary>SELECT of the groups with output columns c0, c1, ... in <see cref="Aggregation.OutputNames"/> order.</summary>
    private static string Grouped(string rows, Aggregation aggregation, Func<AggregateColumn, string> column, SqlParameters parameters)
    {
        var outputs = aggregation.GroupBy.Select(column).Concat(aggregation.Aggregates.Select(a => a.Method switch
        {
            AggregateMethod.Count => "count(*)",
            AggregateMethod.Sum => $"sum({column(a.Of!)})",
            AggregateMethod.Average => $"avg({column(a.Of!)})",
            // PostgreSQL has no min or max of booleans: false < true, so they are "all true" and "any true".
            AggregateMethod.Min => a.Of!.Type == FieldType.Boolean ? $"bool_and({column(a.Of)})" : $"min({column(a.Of)})",
            AggregateMethod.Max => a.Of!.Type == FieldType.Boolean ? $"bool_or({column(a.Of)})" : $"max({column(a.Of)})",
            _ => $"count(DISTINCT {column(a.Of!)})",
        })).Select((sql, i) => $"{sql} AS c{i.ToString(CultureInfo.InvariantCulture)}").ToList();
        var groupBy = aggregation.GroupBy.Count == 0 ? ""
            : " GROUP BY " + string.Join(", ", Enumerable.Range(1, aggregation.GroupBy.Count).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        return $"SELECT {string.Join(", ", outputs)} FROM {rows}{groupBy}";
    }

    private async IAsyncEnumerable<string> RunAsync(string grouped, Aggregation aggregation, SqlParameters parameters, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var names = aggregation.OutputNames.ToList();
        var json = "json_build_object(" + string.Join(", ", names.Select((name, i) => $"{parameters.Add(name, NpgsqlDbType.Text)}::text, g.c{i}")) + ")::text";
        var order = aggregation.OrderBy.Select(o => names.IndexOf(o.Name) is var i and >= 0 ? $"g.c{i}" + (o.Descending ? " DESC NULLS LAST" : " NULLS FIRST")
            : throw new ArgumentException($"{o.Name} is not a grouped property or an aggregate")).ToList();
        // Then by every output, so pages of groups come in a stable order.
        order.AddRange(Enumerable.Range(0, names.Count).Select(i => $"g.c{i}"));
        var page = (aggregation.Limit is { } limit ? $" LIMIT {parameters.Add((long)limit, NpgsqlDbType.Bigint)}" : "")
                   + (aggregation.Offset > 0 ? $" OFFSET {parameters.Add(aggregation.Offset, NpgsqlDbType.Bigint)}" : "");
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT {json} FROM ({grouped}) g ORDER BY {string.Join(", ", order)}{page}", connection);
        command.Parameters.AddRange(parameters.All.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) yield return reader.GetString(0);
    }

    private async Task<long> CountAsync(string grouped, SqlParameters parameters, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT count(*) FROM ({grouped}) g");
        command.Parameters.AddRange(parameters.All.ToArray());
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
