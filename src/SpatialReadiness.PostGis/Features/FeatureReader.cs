using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using SpatialReadiness.Core.Features;

namespace SpatialReadiness.PostGis.Features;

/// <summary>
/// Reads features for the feeds (OData, OGC API, exports) straight from PostGIS: filter, sort and page run in SQL and
/// rows stream out one at a time, so a feed of a million features never holds more than one in memory.
/// </summary>
public sealed class FeatureReader(ReplicaReads reads)
{
    /// <summary>Feature reads go to the replica when it has the layers read at the versions the query was made with.</summary>
    private Task<NpgsqlConnection> OpenAsync(FeatureQuery query, CancellationToken cancellationToken) =>
        reads.OpenAsync(Read(query).Select(r => (r.Source.Layer.Id, r.Source.Layer.Version)), cancellationToken);

    /// <summary>
    /// The sources a query reads, each with the filter as its layer sees it (<see cref="LayerFolding"/>): a layer whose
    /// condition is false (City eq 'another city', say) is not read. Only ever fewer sources than the query names.
    /// </summary>
    internal static List<(FeatureSource Source, FeatureFilter? Filter)> Read(FeatureQuery query) =>
        query.Sources.Select(s => (Source: s, Filter: query.Filter is null ? null : LayerFolding.ForLayer(query.Filter, s.Layer)))
            .Where(r => r.Filter is null || !LayerFolding.IsFalse(r.Filter)).ToList();

    public async IAsyncEnumerable<FeatureRow> ReadAsync(FeatureQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (Read(query).Count == 0) yield break;
        var parameters = new SqlParameters();
        var sql = Select(query, parameters);
        await using var connection = await OpenAsync(query, cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(parameters.All.ToArray());
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken);
        var geoJson = query.Geometry.HasFlag(GeometryOutput.GeoJson);
        var wkt = query.Geometry.HasFlag(GeometryOutput.Wkt);
        var measures = query.Geometry.HasFlag(GeometryOutput.Measures);
        while (await reader.ReadAsync(cancellationToken))
        {
            var column = 3;
            byte[]? NextText() { var i = column++; return reader.IsDBNull(i) ? null : reader.GetFieldValue<byte[]>(i); }
            double? NextDouble() { var i = column++; return reader.IsDBNull(i) ? null : reader.GetDouble(i); }
            var id = reader.GetInt64(0);
            var layerId = reader.GetInt64(1);
            var properties = reader.GetFieldValue<byte[]>(2);
            var json = geoJson ? NextText() : null;
            var text = wkt ? NextText() : null;
            double? lon = null, lat = null, area = null;
            double[]? bbox = null;
            if (measures)
            {
                (lon, lat, area) = (NextDouble(), NextDouble(), NextDouble());
                var (x0, y0, x1, y1) = (NextDouble(), NextDouble(), NextDouble(), NextDouble());
                if (x0 is not null) bbox = [x0.Value, y0!.Value, x1!.Value, y1!.Value];
            }
            yield return new FeatureRow(id, layerId, properties, json, text, lon, lat, area, bbox);
        }
    }

    /// <summary>
    /// Refuses (<see cref="InputException"/>) a query whose filter cannot be run, without running it: call it
    /// before an answer starts streaming, so a refusal is a whole 400 and never a body cut short.
    /// </summary>
    public static void Check(FeatureQuery query) => Select(query, new SqlParameters());

    /// <summary>
    /// How many features the query matches, ignoring its paging. Counted once per statement and layer versions: the
    /// rows of a layer change only with its version (every import, edit and access change makes a new one), so the
    /// same count of the same versions is the same number, and reading a million features page by page need not scan
    /// the layer again for every client's first page (a twentieth of an OGC API read of a million points).
    /// </summary>
    public async Task<long> CountAsync(FeatureQuery query, CancellationToken cancellationToken = default)
    {
        var read = Read(query);
        if (read.Count == 0) return 0;
        var parameters = new SqlParameters();
        var union = Union(query with { AfterId = null }, parameters);
        var key = MatchCounts.Key(union, parameters.All, Versions(read.Select(r => (r.Source.Layer.Id, r.Source.Layer.Version))));
        if (_counts.TryGet(key, out var known)) return known;
        // The versions are read in the count's own snapshot: a count is kept only under the versions it counted (a
        // replica, or a change committed since the layers were looked up, may be at another).
        var ids = parameters.Add(read.Select(r => r.Source.Layer.Id).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Bigint);
        var sql = $"""
            SELECT (SELECT count(*) FROM ({union}) t),
                   (SELECT string_agg(l.id || ':' || l.version, ',' ORDER BY w.n) FROM unnest({ids}::bigint[]) WITH ORDINALITY AS w(id, n) JOIN layers l ON l.id = w.id)
            """;
        await using var connection = await OpenAsync(query, cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(parameters.All.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var count = reader.GetInt64(0);
        if (!reader.IsDBNull(1)) _counts.Keep(MatchCounts.Key(union, parameters.All.SkipLast(1), reader.GetString(1)), count);
        return count;
    }

    private readonly MatchCounts _counts = new();

    /// <summary>Forgets the kept counts (LayerChangeListener, after a restore or a failover: versions may repeat with other rows).</summary>
    public void ForgetCounts() => _counts.Clear();

    private static string Versions(IEnumerable<(long Id, int Version)> layers) =>
        string.Join(',', layers.Select(l => $"{l.Id.ToString(CultureInfo.InvariantCulture)}:{l.Version.ToString(CultureInfo.InvariantCulture)}"));

    internal static string Select(FeatureQuery query, SqlParameters parameters)
    {
        var union = Union(query, parameters);
        var geometry = query.OutputSrid == 4326 ? "t.geom" : $"ST_Transform(t.geom, {query.OutputSrid.ToString(CultureInfo.InvariantCulture)})";
        if (query.LatitudeFirst) geometry = $"ST_FlipCoordinates({geometry})";
        var decimals = query.Decimals.ToString(CultureInfo.InvariantCulture);
        // Texts as bytea (convert_to to the database's own encoding is a copy): Npgsql hands them over as UTF-8 bytes.
        var columns = new StringBuilder("t.id, t.layer_id, convert_to(t.properties::text, 'UTF8')");
        if (query.Geometry.HasFlag(GeometryOutput.GeoJson)) columns.Append($", convert_to(ST_AsGeoJSON({geometry}, {decimals}), 'UTF8')");
        if (query.Geometry.HasFlag(GeometryOutput.Wkt)) columns.Append($", convert_to(ST_AsText({geometry}, {decimals}), 'UTF8')");
        if (query.Geometry.HasFlag(GeometryOutput.Measures))
            columns.Append(", ST_X(ST_PointOnSurface(t.geom)), ST_Y(ST_PointOnSurface(t.geom)), ST_Area(t.geom::geography),"
                           + " ST_XMin(t.geom), ST_YMin(t.geom), ST_XMax(t.geom), ST_YMax(t.geom)");
        var order = string.Join(", ", query.OrderBy.Select(k => Sort(k, parameters)).Append("t.id"));
        var page = (query.Limit is { } limit ? $" LIMIT {parameters.Add(Rows(limit, query.Offset), NpgsqlDbType.Bigint)}" : "")
                   + (query.Offset > 0 ? $" OFFSET {parameters.Add(query.Offset, NpgsqlDbType.Bigint)}" : "");
        return $"SELECT {columns} FROM ({union}) t ORDER BY {order}{page}";
    }

    /// <summary>One SELECT per source layer read, each filtered with its own field keys and layer facts, glued with UNION ALL.</summary>
    internal static string Union(FeatureQuery query, SqlParameters parameters)
    {
        var read = Read(query);
        if (read.Count == 0) return "SELECT NULL::bigint AS id, NULL::bigint AS layer_id, NULL::jsonb AS properties, NULL::geometry AS geom WHERE FALSE";
        // A page in id order over several layers: each layer gives only its first rows, so PostgreSQL reads a page per
        // layer instead of sorting every row of every layer (measured: OData's first page of Features over a million
        // points took 385 ms; the planner does not push the LIMIT through UNION ALL itself).
        var perLayerLimit = query.Limit is { } limit && query.OrderBy.Count == 0 && read.Count > 1
            ? parameters.Add(Rows(limit, query.Offset), NpgsqlDbType.Bigint) : null;
        return string.Join("\nUNION ALL\n", read.Select(r =>
        {
            var (source, filter) = r;
            var conditions = new List<string> { $"f.layer_id = {parameters.Add(source.Layer.Id, NpgsqlDbType.Bigint)}" };
            if (filter is not null && !LayerFolding.IsTrue(filter)) conditions.Add(new FilterSql(parameters, FilterSql.Attributes(parameters, source.Fields)).Render(filter));
            if (query.Bbox is [var x0, var y0, var x1, var y1])
            {
                var srid = query.BboxSrid.ToString(CultureInfo.InvariantCulture);
                var envelope = "ST_MakeEnvelope(" + string.Join(", ", new[] { x0, y0, x1, y1 }.Select(v => parameters.Add(v, NpgsqlDbType.Double))) + $", {srid})";
                // Densified before it is transformed, so the box's curved edges in lon/lat are followed, not cut short.
                if (query.BboxSrid != 4326)
                    envelope = $"ST_Transform(ST_Segmentize({envelope}, {parameters.Add(Math.Max(x1 - x0, y1 - y0) / 32 + 1e-9, NpgsqlDbType.Double)}), 4326)";
                conditions.Add($"ST_Intersects(f.geom, {envelope})");
            }
            if (query.AfterId is { } after) conditions.Add($"f.id > {parameters.Add(after, NpgsqlDbType.Bigint)}");
            var select = $"SELECT f.id, f.layer_id, {Properties(source, query.Select, parameters)} AS properties, f.geom FROM features f WHERE {string.Join(" AND ", conditions)}";
            return perLayerLimit is null ? select : $"({select} ORDER BY f.id LIMIT {perLayerLimit})";
        }));
    }

    /// <summary>The properties as jsonb: the attributes minus withheld fields, or an object of the chosen fields.</summary>
    private static string Properties(FeatureSource source, IReadOnlyList<string>? select, SqlParameters parameters)
    {
        var names = (select ?? source.Fields.Keys.ToList()).Where(source.Fields.ContainsKey).ToList();
        // Every public field under its own name: the stored attributes are the answer, without rebuilding them per row.
        var asStored = source.OpenAttributes && select is null
                       || names.Count == source.Fields.Count && source.Fields.All(f => f.Key == f.Value) && source.Fields.Count == source.Layer.PublicFields.Count;
        if (asStored)
            return source.Layer.WithheldFields.Count == 0 ? "f.attributes"
                : $"(f.attributes - {parameters.Add(source.Layer.WithheldFields.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)})";
        if (names.Count == 0) return "'{}'::jsonb";
        // jsonb_build_object takes at most 100 arguments: 50 fields per call, joined with ||.
        return string.Join(" || ", names.Chunk(50).Select(chunk => "jsonb_build_object(" + string.Join(", ", chunk.Select(name =>
            $"{parameters.Add(name, NpgsqlDbType.Text)}::text, f.attributes -> {parameters.Add(source.Fields[name], NpgsqlDbType.Text)}")) + ")"));
    }

    /// <summary>Rows up to the end of the page: limit + offset, at most long.MaxValue (an offset near it would wrap negative).</summary>
    private static long Rows(int limit, long offset) => offset > long.MaxValue - limit ? long.MaxValue : limit + offset;

    private static string Sort(SortKey key, SqlParameters parameters) => key.By switch
    {
        FeatureId => "t.id" + (key.Descending ? " DESC" : ""),
        Field field => $"t.properties -> {parameters.Add(field.Name, NpgsqlDbType.Text)}" + (key.Descending ? " DESC NULLS LAST" : " NULLS FIRST"),
        AreaOf => "ST_Area(t.geom::geography)" + (key.Descending ? " DESC" : ""),
        _ => throw new NotSupportedException($"cannot sort by {key.By.GetType().Name}"),
    };
}
