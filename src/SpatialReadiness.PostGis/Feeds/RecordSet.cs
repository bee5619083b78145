using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;
using SpatialReadiness.Core.Features;
using SpatialReadiness.PostGis.Features;
using SpatialReadiness.PostGis.Readiness;

namespace SpatialReadiness.PostGis.Feeds;

/// <summary>
/// A table a feed serves as flat records (cities, layers, findings, scores): a SELECT whose column names are the
/// properties clients see, with their types. Sensitive layers are left out in the SELECT itself.
/// </summary>
public sealed record RecordSet(string Name, string Key, IReadOnlyList<(string Name, RecordType Type)> Properties, string Sql)
{
    public bool Has(string property) => Properties.Any(p => p.Name == property);

    public static readonly RecordSet Cities = new("Cities", "Id",
    [
        ("Id", RecordType.Text), ("Name", RecordType.Text), ("State", RecordType.Text), ("LayerCount", RecordType.Integer),
        ("MinLon", RecordType.Number), ("MinLat", RecordType.Number), ("MaxLon", RecordType.Number), ("MaxLat", RecordType.Number),
        ("CreatedAt", RecordType.Time),
    ], """
        SELECT c.id AS "Id", c.name AS "Name", c.state AS "State",
               (SELECT count(*) FROM layers l WHERE l.city_id = c.id AND NOT l.sensitive) AS "LayerCount",
               ST_XMin(c.boundary) AS "MinLon", ST_YMin(c.boundary) AS "MinLat", ST_XMax(c.boundary) AS "MaxLon", ST_YMax(c.boundary) AS "MaxLat",
               c.created_at AS "CreatedAt"
        FROM cities c
        """);

    public static readonly RecordSet Layers = new("Layers", "Id",
    [
        ("Id", RecordType.Integer), ("City", RecordType.Text), ("Name", RecordType.Text), ("Kind", RecordType.Text), ("Title", RecordType.Text),
        ("Description", RecordType.Text), ("Licence", RecordType.Text), ("Source", RecordType.Text), ("Custodian", RecordType.Text),
        ("SurveyDate", RecordType.Date), ("Version", RecordType.Integer), ("FeatureCount", RecordType.Integer),
        ("InvalidGeometryCount", RecordType.Integer), ("Format", RecordType.Text), ("CrsReceived", RecordType.Text),
        ("MinLon", RecordType.Number), ("MinLat", RecordType.Number), ("MaxLon", RecordType.Number), ("MaxLat", RecordType.Number),
        ("UpdatedAt", RecordType.Time),
    ], """
        SELECT l.id AS "Id", l.city_id AS "City", l.name AS "Name", l.kind AS "Kind", l.title AS "Title", l.description AS "Description",
               l.licence AS "Licence", l.source AS "Source", l.custodian AS "Custodian", l.survey_date AS "SurveyDate", l.version AS "Version",
               l.feature_count AS "FeatureCount", l.invalid_count AS "InvalidGeometryCount", l.format AS "Format", l.crs_received AS "CrsReceived",
               l.min_lon AS "MinLon", l.min_lat AS "MinLat", l.max_lon AS "MaxLon", l.max_lat AS "MaxLat", l.updated_at AS "UpdatedAt"
        FROM layers l WHERE NOT l.sensitive
        """);

    /// <summary>Findings of each city's newest successful check as the public sees them (Readiness.FindingView): none from sensitive layers.</summary>
    public static readonly RecordSet Findings = new("Findings", "Id",
    [
        ("Id", RecordType.Integer), ("RunId", RecordType.Text), ("City", RecordType.Text), ("Layer", RecordType.Text), ("LayerId", RecordType.Integer),
        ("Rule", RecordType.Text), ("Severity", RecordType.Text), ("FeatureId", RecordType.Integer), ("Feature", RecordType.Text),
        ("Detail", RecordType.Text), ("Measure", RecordType.Number), ("Lon", RecordType.Number), ("Lat", RecordType.Number),
    ], $"""
        SELECT f.id AS "Id", r.id::text AS "RunId", r.city_id AS "City", l.name AS "Layer", l.id AS "LayerId", f.rule AS "Rule",
               f.severity AS "Severity", f.feature_id AS "FeatureId", {FindingView.Label(FindingView.Nothing)} AS "Feature",
               {FindingView.Detail(FindingView.Nothing)} AS "Detail", {FindingView.Measure(FindingView.Nothing)} AS "Measure",
               round(ST_X(ST_PointOnSurface({FindingView.Location(FindingView.Nothing)}))::numeric, 7)::float8 AS "Lon",
               round(ST_Y(ST_PointOnSurface({FindingView.Location(FindingView.Nothing)}))::numeric, 7)::float8 AS "Lat"
        FROM findings f
        JOIN check_runs r ON r.id = f.run_id
        JOIN layers l ON l.id = f.layer_id AND NOT l.sensitive
        WHERE r.id IN (SELECT DISTINCT ON (city_id) id FROM check_runs WHERE status = 'succeeded' ORDER BY city_id, finished_at DESC)
        """);

    /// <summary>Each city's newest score: SRS-20, SRS-100 and the three parts.</summary>
    public static readonly RecordSet ReadinessScores = new("ReadinessScores", "City",
    [
        ("City", RecordType.Text), ("RunId", RecordType.Text), ("RuleSetVersion", RecordType.Text), ("Srs20", RecordType.Number),
        ("Srs100", RecordType.Number), ("PartA", RecordType.Number), ("PartB", RecordType.Number), ("PartC", RecordType.Number),
        ("InputHash", RecordType.Text), ("FinishedAt", RecordType.Time),
    ], """
        SELECT DISTINCT ON (r.city_id) r.city_id AS "City", r.id::text AS "RunId", r.rule_set_version AS "RuleSetVersion",
               (r.score->>'srs20')::float8 AS "Srs20", (r.score->>'srs100')::float8 AS "Srs100",
               (SELECT (p->>'marks')::float8 FROM jsonb_array_elements(r.score->'parts') p WHERE p->>'code' = 'A') AS "PartA",
               (SELECT (p->>'marks')::float8 FROM jsonb_array_elements(r.score->'parts') p WHERE p->>'code' = 'B') AS "PartB",
               (SELECT (p->>'marks')::float8 FROM jsonb_array_elements(r.score->'parts') p WHERE p->>'code' = 'C') AS "PartC",
               r.input_hash AS "InputHash", r.finished_at AS "FinishedAt"
        FROM check_runs r WHERE r.status = 'succeeded' ORDER BY r.city_id, r.finished_at DESC
        """);

    public static readonly IReadOnlyList<RecordSet> All = [Cities, Layers, Findings, ReadinessScores];
}

public enum RecordType { Text, Integer, Number, Date, Time, Boolean }

public sealed record RecordQuery(RecordSet Set)
{
    public FeatureFilter? Filter { get; init; }
    public IReadOnlyList<(string Property, bool Descending)> OrderBy { get; init; } = [];
    public long Offset { get; init; }
    public int? Limit { get; init; }
}

/// <summary>Streams a record set as one JSON object per row (property name to value), filtered, sorted and paged in SQL.</summary>
public sealed class RecordReader(NpgsqlDataSource dataSource)
{
    public async IAsyncEnumerable<string> ReadAsync(RecordQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var parameters = new SqlParameters();
        var order = string.Join(", ", query.OrderBy.Select(o => Column(query.Set, o.Property) + (o.Descending ? " DESC NULLS LAST" : " NULLS FIRST"))
            .Append(Column(query.Set, query.Set.Key)));
        var page = (query.Limit is { } limit ? $" LIMIT {parameters.Add((long)limit, NpgsqlDbType.Bigint)}" : "")
                   + (query.Offset > 0 ? $" OFFSET {parameters.Add(query.Offset, NpgsqlDbType.Bigint)}" : "");
        var sql = $"SELECT to_jsonb(t)::text FROM ({query.Set.Sql}) t WHERE {Where(query, parameters)} ORDER BY {order}{page}";
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(parameters.All.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) yield return reader.GetString(0);
    }

    /// <summary>Refuses a query whose filter cannot be run, before an answer starts streaming (see FeatureReader.Check).</summary>
    public static void Check(RecordQuery query) => Where(query, new SqlParameters());

    public async Task<long> CountAsync(RecordQuery query, CancellationToken cancellationToken = default)
    {
        var parameters = new SqlParameters();
        await using var command = dataSource.CreateCommand($"SELECT count(*) FROM ({query.Set.Sql}) t WHERE {Where(query, parameters)}");
        command.Parameters.AddRange(parameters.All.ToArray());
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    internal static string Where(RecordQuery query, SqlParameters parameters) => query.Filter is null ? "TRUE"
        : new FilterSql(parameters, name => query.Set.Has(name) ? $"({Column(query.Set, name)})::text" : null, geometryColumn: "NULL::geometry").Render(query.Filter);

    // Property names come from the set's own constant list, never from the request, so quoting them is enough.
    private static string Column(RecordSet set, string property) =>
        set.Has(property) ? $"t.\"{property}\"" : throw new ArgumentException($"{set.Name} has no property {property}", nameof(property));
}
