using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.OData;
using Microsoft.OData.UriParser;
using SpatialReadiness.Checks.Schemas;
using SpatialReadiness.Core.Features;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.PostGis.Features;
using SpatialReadiness.PostGis.Feeds;
using SpatialReadiness.PostGis.Layers;
using SpatialReadiness.Server.Auth;

namespace SpatialReadiness.Server.OData;

/// <summary>
/// Answers GET /odata/{set} and /odata/{set}({key}): parses the query options with the OData library against the
/// model, runs them as SQL in PostGIS (<see cref="FeatureReader"/>, <see cref="RecordReader"/>) and streams the page
/// as OData JSON (minimal metadata) with @odata.count and @odata.nextLink. Without $orderby the order is the key and
/// the next link carries a $skiptoken (the last key), so paging through a million features stays cheap.
/// </summary>
public sealed class ODataFeed(LayerStore store, FeatureReader features, RecordReader records)
{
    public const int PageSize = 10_000;

    public async Task<IResult?> WriteAsync(HttpContext http, string set, string? key, CancellationToken cancellationToken)
    {
        var root = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/odata/";
        var entitySet = ODataModel.Model.EntityContainer.FindEntitySet(set);
        if (entitySet is null)
            return Problem(404, $"there is no entity set '{set}'; the service document at {root} lists them.");
        Options options;
        try
        {
            var parser = new ODataUriParser(ODataModel.Model, new Uri(root), new Uri(root + set + http.Request.QueryString.Value))
            {
                Resolver = new ODataUriResolver { EnableCaseInsensitive = true },
            };
            options = Options.Parse(parser);
        }
        catch (ODataException e)
        {
            return Problem(400, e.Message);
        }
        try
        {
            var record = RecordSet.All.FirstOrDefault(r => r.Name == set);
            if (record is not null) await WriteRecordsAsync(http, root, record, options, key, cancellationToken);
            else await WriteFeaturesAsync(http, root, set, options, key, cancellationToken);
            return null;
        }
        catch (ODataFilterException e) when (!http.Response.HasStarted)
        {
            return Problem(400, e.Message);
        }
        catch (KeyNotFoundException e) when (!http.Response.HasStarted)
        {
            return Problem(404, e.Message);
        }
    }

    private async Task WriteFeaturesAsync(HttpContext http, string root, string set, Options options, string? key, CancellationToken cancellationToken)
    {
        var sources = await FeatureSets.SourcesAsync(set, store, http.Caller(), cancellationToken);
        var conditions = new List<FeatureFilter>();
        if (options.Filter is not null)
        {
            var translate = new ODataFilter(FeatureSets.Property);
            foreach (var conjunct in Conjuncts(options.Filter.Expression))
                if (SourceChoice(conjunct) is { } choice) sources = sources.Where(choice).ToList();
                else conditions.Add(translate.Condition(conjunct));
        }
        if (key is not null)
        {
            if (!long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var id)) throw new KeyNotFoundException($"{set}({key}) does not exist: the key is a whole number.");
            conditions.Add(new Comparison(new FeatureId(), ComparisonOperator.Equal, new Literal(id)));
        }
        var typed = ODataModel.TypedSets.FirstOrDefault(t => t.Set == set);
        var schema = typed.Set is null ? null : LayerSchema.For(typed.Kind);
        var order = options.OrderBy.Select(o => new PostGis.Features.SortKey(FeatureSets.Property(o.Property) is { } by and (Field or FeatureId or AreaOf) ? by
            : throw new ODataFilterException($"$orderby {o.Property} is not supported; order by Id, AreaM2 or a field."), o.Descending)).ToList();
        var page = PageOf(http, options);
        var query = new FeatureQuery(sources)
        {
            Filter = conditions.Count == 0 ? null : new AllOf(conditions),
            OrderBy = order,
            AfterId = order.Count == 0 ? options.SkipToken : null,
            Offset = options.Skip ?? 0,
            Limit = page + 1,
            Geometry = GeometryWanted(options.Select),
            // Only the chosen fields are built in SQL (and the ones sorted on, which must be there to sort by).
            Select = options.Select is null ? null : options.Select.Concat(order.Select(o => o.By).OfType<Field>().Select(f => f.Name)).Distinct().ToList(),
        };
        FeatureReader.Check(query);
        var layers = sources.ToDictionary(s => s.Layer.Id);
        long? count = options.Count && key is null ? (sources.Count == 0 ? 0 : await features.CountAsync(query with { Limit = null, Offset = 0 }, cancellationToken)) : null;
        // The query runs (and may fail, as a whole 4xx/503) before the first byte of the answer is written.
        await using var rows = (sources.Count > 0 ? features.ReadAsync(query, cancellationToken) : AsyncEnumerable.Empty<FeatureRow>()).GetAsyncEnumerator(cancellationToken);
        var next = await rows.MoveNextAsync();
        if (key is not null && !next) throw new KeyNotFoundException($"{set}({key}) does not exist.");
        await using var json = Begin(http, root, set, key is not null, count);
        var written = 0;
        long lastId = 0;
        var more = false;
        for (; next; next = await rows.MoveNextAsync())
        {
            var row = rows.Current;
            if (written == page) { more = true; break; }
            // One entity by key is the answer object itself (its members after @odata.context), not an object inside it.
            if (schema is null) WriteOpenEntity(json, row, layers[row.LayerId], options.Select, key is not null);
            else WriteFeature(json, row, layers[row.LayerId], schema, options.Select, key is not null);
            written++;
            lastId = row.Id;
            if (written % 200 == 0) await FlushAsync(json, http, cancellationToken);
        }
        await EndAsync(json, http, key is not null, more && (options.Top is null || options.Top > written) ? NextLink(http, options, written, order.Count == 0 ? lastId : null) : null, cancellationToken);
    }

    private async Task WriteRecordsAsync(HttpContext http, string root, RecordSet set, Options options, string? key, CancellationToken cancellationToken)
    {
        var conditions = new List<FeatureFilter>();
        if (options.Filter is not null)
            conditions.Add(new ODataFilter(name => set.Has(name) ? new Field(name) : null).Condition(options.Filter.Expression));
        if (key is not null) conditions.Add(new Comparison(new Field(set.Key), ComparisonOperator.Equal, new Literal(key.Trim('\''))));
        var page = PageOf(http, options);
        var query = new RecordQuery(set)
        {
            Filter = conditions.Count == 0 ? null : new AllOf(conditions),
            OrderBy = options.OrderBy.Select(o => set.Has(o.Property) ? (o.Property, o.Descending) : throw new ODataFilterException($"$orderby {o.Property}: {set.Name} has no such property.")).ToList(),
            Offset = options.Skip ?? 0,
            Limit = page + 1,
        };
        RecordReader.Check(query);
        long? count = options.Count && key is null ? await records.CountAsync(query with { Limit = null, Offset = 0 }, cancellationToken) : null;
        await using var rows = records.ReadAsync(query, cancellationToken).GetAsyncEnumerator(cancellationToken);
        var next = await rows.MoveNextAsync(); // the query runs before the answer starts
        if (key is not null && !next) throw new KeyNotFoundException($"{set.Name}({key}) does not exist.");
        await using var json = Begin(http, root, set.Name, key is not null, count);
        var written = 0;
        var more = false;
        for (; next; next = await rows.MoveNextAsync())
        {
            var row = rows.Current;
            if (written == page) { more = true; break; }
            using var document = JsonDocument.Parse(row);
            if (key is null) json.WriteStartObject();
            foreach (var property in document.RootElement.EnumerateObject())
                if (options.Select is null || options.Select.Contains(property.Name)) property.WriteTo(json);
            if (key is null) json.WriteEndObject();
            written++;
        }
        await EndAsync(json, http, key is not null, more && (options.Top is null || options.Top > written) ? NextLink(http, options, written, null) : null, cancellationToken);
    }

    /// <summary>Rows in this response: $top, the client's "Prefer: odata.maxpagesize=N", and at most <see cref="PageSize"/>.</summary>
    private static int PageOf(HttpContext http, Options options)
    {
        var page = (int)Math.Min(options.Top ?? PageSize, PageSize);
        foreach (var preference in http.Request.Headers["Prefer"].SelectMany(h => h!.Split(',', StringSplitOptions.TrimEntries)))
            if (preference.StartsWith("odata.maxpagesize=", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(preference["odata.maxpagesize=".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var preferred) && preferred > 0)
            {
                page = Math.Min(page, preferred);
                http.Response.Headers["Preference-Applied"] = $"odata.maxpagesize={page}";
            }
        return page;
    }

    private static Utf8JsonWriter Begin(HttpContext http, string root, string set, bool single, long? count)
    {
        http.Response.ContentType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";
        http.Response.Headers["OData-Version"] = "4.0";
        // Written straight into the response pipe. Quotes in geometry text escape as \" rather than \u0022; validation is
        // off so an open entity's stored attributes can be spliced in as members (see WriteOpenEntity).
        var json = new Utf8JsonWriter(http.Response.BodyWriter, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true });
        json.WriteStartObject();
        json.WriteString("@odata.context", $"{root}$metadata#{set}{(single ? "/$entity" : "")}");
        if (count is not null) json.WriteNumber("@odata.count", count.Value);
        if (!single) json.WriteStartArray("value");
        return json;
    }

    private static async Task EndAsync(Utf8JsonWriter json, HttpContext http, bool single, string? nextLink, CancellationToken cancellationToken)
    {
        if (!single) json.WriteEndArray();
        if (nextLink is not null) json.WriteString("@odata.nextLink", nextLink);
        json.WriteEndObject();
        await FlushAsync(json, http, cancellationToken);
    }

    private static async Task FlushAsync(Utf8JsonWriter json, HttpContext http, CancellationToken cancellationToken)
    {
        json.Flush();
        await http.Response.BodyWriter.FlushAsync(cancellationToken);
    }

    /// <summary>The same request for the next page: a $skiptoken after the last key, or $skip further on; $top reduced by what was sent.</summary>
    private static string NextLink(HttpContext http, Options options, int written, long? lastId)
    {
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(http.Request.QueryString.Value)
            .Where(p => p.Key is not ("$skip" or "$skiptoken" or "$top")).ToDictionary(p => p.Key, p => p.Value.ToString());
        if (lastId is not null) query["$skiptoken"] = lastId.Value.ToString(CultureInfo.InvariantCulture);
        else query["$skip"] = ((options.Skip ?? 0) > long.MaxValue - written ? long.MaxValue : (options.Skip ?? 0) + written).ToString(CultureInfo.InvariantCulture);
        if (options.Top is { } top) query["$top"] = (top - written).ToString(CultureInfo.InvariantCulture);
        var url = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}{http.Request.Path}";
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(url, query!);
    }

    /// <summary>
    /// A Features entity. Its open properties are the members of the object PostGIS wrote (already only the chosen
    /// ones), copied in as they are: parsing them per row would be most of what a feed of a million rows costs.
    /// </summary>
    private static void WriteOpenEntity(Utf8JsonWriter json, FeatureRow row, FeatureSource source, IReadOnlySet<string>? select, bool single)
    {
        bool Wanted(string name) => select is null || select.Contains(name);
        if (!single) json.WriteStartObject();
        json.WriteNumber("Id", row.Id);
        if (Wanted("City")) json.WriteString("City", source.Layer.City);
        if (Wanted("Layer")) json.WriteString("Layer", source.Layer.Name);
        if (Wanted("LayerId")) json.WriteNumber("LayerId", source.Layer.Id);
        if (Wanted("Kind")) json.WriteString("Kind", source.Layer.Kind);
        // With validation off, a raw "value" inside an object is written after a comma: `"a":1,"b":2` lands as members.
        if (row.PropertiesJson.Length > 2) json.WriteRawValue(row.PropertiesJson.AsSpan(1, row.PropertiesJson.Length - 2), skipInputValidation: true);
        WriteGeometryAndMeasures(json, row, select);
        if (!single) json.WriteEndObject();
    }

    private static void WriteFeature(Utf8JsonWriter json, FeatureRow row, FeatureSource source, LayerSchema schema, IReadOnlySet<string>? select, bool single)
    {
        bool Wanted(string name) => select is null || select.Contains(name);
        if (!single) json.WriteStartObject();
        json.WriteNumber("Id", row.Id);
        if (Wanted("City")) json.WriteString("City", source.Layer.City);
        if (Wanted("Layer")) json.WriteString("Layer", source.Layer.Name);
        if (Wanted("LayerId")) json.WriteNumber("LayerId", source.Layer.Id);
        using (var properties = JsonDocument.Parse(row.PropertiesJson))
            foreach (var field in schema.Fields)
                if (Wanted(field.Name))
                    WriteTyped(json, field, properties.RootElement.TryGetProperty(field.Name, out var value) ? value : default);
        WriteGeometryAndMeasures(json, row, select);
        if (!single) json.WriteEndObject();
    }

    /// <summary>A canonical field as its declared type: an integer field holding "12" is 12, holding "n/a" is null.</summary>
    private static void WriteTyped(Utf8JsonWriter json, SchemaField field, JsonElement value)
    {
        json.WritePropertyName(field.Name);
        if (value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) { json.WriteNullValue(); return; }
        if (field.Type == "integer")
        {
            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)) json.WriteNumberValue(number);
            else if (long.TryParse(value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)) json.WriteNumberValue(parsed);
            else if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var real) && real == Math.Floor(real) && Math.Abs(real) < 9e15) json.WriteNumberValue((long)real);
            else json.WriteNullValue();
            return;
        }
        json.WriteStringValue(value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText());
    }

    private static readonly string[] BboxColumns = ["MinLon", "MinLat", "MaxLon", "MaxLat"];

    /// <summary>Geometry as WKT and GeoJSON text, centroid, area, bbox and Location: each when selected.</summary>
    private static void WriteGeometryAndMeasures(Utf8JsonWriter json, FeatureRow row, IReadOnlySet<string>? select)
    {
        bool Wanted(string name) => select is null || select.Contains(name);
        if (Wanted("Wkt")) WriteText("Wkt", row.Wkt);
        if (Wanted("GeoJson")) WriteText("GeoJson", row.GeoJson);
        WriteNumber("CentroidLon", row.CentroidLon);
        WriteNumber("CentroidLat", row.CentroidLat);
        WriteNumber("AreaM2", row.AreaM2 is { } area ? Math.Round(area, 2) : null);
        for (var i = 0; i < 4; i++) WriteNumber(BboxColumns[i], row.Bbox?[i]);
        if (!Wanted(ODataModel.LocationProperty)) return;
        json.WritePropertyName(ODataModel.LocationProperty);
        if (row.CentroidLon is { } lon && row.CentroidLat is { } lat)
        {
            json.WriteStartObject();
            json.WriteString("type", "Point");
            json.WriteStartArray("coordinates");
            json.WriteNumberValue(lon);
            json.WriteNumberValue(lat);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        else json.WriteNullValue();

        void WriteText(string name, string? text)
        {
            if (text is null) json.WriteNull(name);
            else json.WriteString(name, text);
        }
        void WriteNumber(string name, double? value)
        {
            if (!Wanted(name)) return;
            if (value is null) json.WriteNull(name);
            else json.WriteNumber(name, value.Value);
        }
    }

    private static GeometryOutput GeometryWanted(IReadOnlySet<string>? select)
    {
        bool Wanted(string name) => select is null || select.Contains(name);
        var output = GeometryOutput.None;
        if (Wanted("GeoJson")) output |= GeometryOutput.GeoJson;
        if (Wanted("Wkt")) output |= GeometryOutput.Wkt;
        if (new[] { "CentroidLon", "CentroidLat", "AreaM2", "MinLon", "MinLat", "MaxLon", "MaxLat", ODataModel.LocationProperty }.Any(Wanted)) output |= GeometryOutput.Measures;
        return output;
    }

    private static IEnumerable<SingleValueNode> Conjuncts(SingleValueNode node) =>
        node is BinaryOperatorNode { OperatorKind: BinaryOperatorKind.And } and ? Conjuncts(and.Left).Concat(Conjuncts(and.Right))
        : node is ConvertNode convert ? Conjuncts(convert.Source) : [node];

    /// <summary>"City eq 'pune'", "Layer eq 'wards'", "LayerId eq 7", "Kind eq 'slum'": which layers to read, not a row condition.</summary>
    private static Func<FeatureSource, bool>? SourceChoice(SingleValueNode node)
    {
        if (node is not BinaryOperatorNode { OperatorKind: BinaryOperatorKind.Equal } equal) return null;
        var (property, constant) = (Strip(equal.Left), Strip(equal.Right)) switch
        {
            (SingleValuePropertyAccessNode p, ConstantNode c) => (p.Property.Name, c.Value),
            (ConstantNode c, SingleValuePropertyAccessNode p) => (p.Property.Name, c.Value),
            _ => (null, null),
        };
        var text = Convert.ToString(constant, CultureInfo.InvariantCulture);
        return property switch
        {
            "City" => s => s.Layer.City == text,
            "Layer" => s => s.Layer.Name == text,
            "LayerId" => s => s.Layer.Id.ToString(CultureInfo.InvariantCulture) == text,
            "Kind" => s => s.Layer.Kind == text,
            _ => null,
        };

        static SingleValueNode Strip(SingleValueNode n) => n is ConvertNode c ? Strip(c.Source) : n;
    }

    private static IResult Problem(int status, string detail) =>
        Results.Problem(statusCode: status, title: status == 404 ? "Not found" : "Bad OData request", detail: detail,
            extensions: new Dictionary<string, object?> { ["code"] = status == 404 ? "NotFound" : "Malformed" });

    /// <summary>The query options of one request, parsed and checked against the model.</summary>
    private sealed record Options(FilterClause? Filter, IReadOnlyList<(string Property, bool Descending)> OrderBy, IReadOnlySet<string>? Select,
        long? Top, long? Skip, long? SkipToken, bool Count)
    {
        public static Options Parse(ODataUriParser parser)
        {
            var orderBy = new List<(string, bool)>();
            for (var clause = parser.ParseOrderBy(); clause is not null; clause = clause.ThenBy)
                orderBy.Add((clause.Expression is SingleValuePropertyAccessNode p ? p.Property.Name
                    : clause.Expression is SingleValueOpenPropertyAccessNode o ? o.Name
                    : throw new ODataException("$orderby takes property names only."), clause.Direction == OrderByDirection.Descending));
            var selectExpand = parser.ParseSelectAndExpand();
            IReadOnlySet<string>? select = selectExpand is null || selectExpand.AllSelected ? null
                : selectExpand.SelectedItems.OfType<PathSelectItem>().Select(i => i.SelectedPath.LastSegment.Identifier).ToHashSet(StringComparer.Ordinal);
            var skipToken = parser.ParseSkipToken();
            long? token = skipToken is null ? null
                : long.TryParse(skipToken, NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t
                : throw new ODataException($"$skiptoken '{skipToken}' is not one this server wrote; follow @odata.nextLink as given.");
            var top = parser.ParseTop();
            var skip = parser.ParseSkip();
            if (top < 0 || skip < 0) throw new ODataException("$top and $skip must not be negative.");
            return new Options(parser.ParseFilter(), orderBy, select, top, skip, token, parser.ParseCount() == true);
        }
    }
}
