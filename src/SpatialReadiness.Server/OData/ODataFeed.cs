using SpatialReadiness.Server.Resilience;
using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.OData;
using Microsoft.OData.UriParser;
using SpatialReadiness.Core.Features;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.PostGis.Features;
using SpatialReadiness.PostGis.Feeds;
using SpatialReadiness.Server.Auth;

namespace SpatialReadiness.Server.OData;

/// <summary>
/// Answers GET /odata/{set}, {set}/$count, {set}({key}), {set}({key})/{property} and its /$value: parses the request
/// against the reader's model (<see cref="ODataRequest"/>), translates it to the shared query model
/// (<see cref="ODataQuery"/>), runs it as SQL in PostGIS (<see cref="FeatureReader"/>, <see cref="RecordReader"/>,
/// <see cref="ODataAggregation"/> for $apply) and streams the page as OData JSON (minimal
/// metadata) with @odata.count and @odata.nextLink. Without $orderby the order is the key and the next link carries a
/// $skiptoken (the last key), so paging through a million features stays cheap.
/// </summary>
public sealed class ODataFeed(ODataServices services, FeatureReader features, RecordReader records, ODataAggregation aggregation, ODataJson output)
{
    public const int PageSize = 10_000;

    public async Task<IResult?> WriteAsync(HttpContext http, string path, CancellationToken cancellationToken)
    {
        var root = ODataLinks.Root(http.Request);
        var service = await services.ForAsync(http.Caller(), cancellationToken);
        ODataRequest request;
        try
        {
            request = ODataRequest.Parse(service.Model, root, path, http.Request.QueryString.Value ?? "", http.Request.Query.Keys);
        }
        catch (ODataUnrecognizedPathException e)
        {
            return Problems.OData(404, e.Message);
        }
        catch (NotSupportedException e)
        {
            return Problems.OData(501, e.Message);
        }
        catch (ODataException e)
        {
            return Problems.OData(400, $"{path}: {e.Message}");
        }
        try
        {
            var record = RecordSet.All.FirstOrDefault(r => r.Name == request.Set);
            if (request.Apply is not null)
                return await aggregation.WriteAsync(http, root, service, record, request, ODataQuery.Condition(service, record, request), cancellationToken);
            return record is not null ? await RecordsAsync(http, root, service, record, request, cancellationToken)
                : await FeaturesAsync(http, root, service, request, cancellationToken);
        }
        catch (ODataFilterException e) when (!http.Response.HasStarted)
        {
            return Problems.OData(400, e.Message);
        }
        catch (NotSupportedException e) when (!http.Response.HasStarted)
        {
            return Problems.OData(501, e.Message);
        }
    }

    private async Task<IResult?> FeaturesAsync(HttpContext http, string root, ODataService service, ODataRequest request, CancellationToken cancellationToken)
    {
        var fields = FeatureSets.TypedFields(request.Set, service);
        var ownSet = service.LayerSets.ContainsKey(request.Set);
        var page = PageOf(http, request);
        var query = ODataQuery.Features(service, request, page);
        FeatureReader.Check(query);
        if (request.CountOnly) return Count(await features.CountAsync(query with { Limit = null, Offset = 0 }, cancellationToken));
        var layers = query.Sources.ToDictionary(s => s.Layer.Id, s => s.Layer);
        void Members(ODataEntityWriter writer, FeatureRow row)
        {
            if (fields is null) writer.OpenFeature(row, layers[row.LayerId]);
            else writer.TypedFeature(row, ownSet ? null : layers[row.LayerId], fields);
        }
        if (request.Key is not null)
        {
            FeatureRow? found = null;
            await foreach (var row in features.ReadAsync(query, cancellationToken)) found = row;
            return found is null ? Problems.OData(404, $"{request.Set}({request.Key}) does not exist.")
                : Single(root, request, writer => Members(writer, found));
        }
        long? count = request.Count ? await features.CountAsync(query with { Limit = null, Offset = 0 }, cancellationToken) : null;
        await using var rows = features.ReadAsync(query, cancellationToken).GetAsyncEnumerator(cancellationToken);
        var next = await rows.MoveNextAsync(); // the query runs (and may fail, as a whole answer) before the first byte is written
        await using var json = output.Begin(http, root, request.Set, count);
        var entity = new ODataEntityWriter(json, output.Validate, request.Select);
        var written = 0;
        long lastId = 0;
        var more = false;
        for (; next; next = await rows.MoveNextAsync())
        {
            var row = rows.Current;
            if (written == page) { more = true; break; }
            json.WriteStartObject();
            Members(entity, rows.Current);
            json.WriteEndObject();
            written++;
            lastId = rows.Current.Id;
            if (written % 200 == 0) await FlushAsync(json, http, cancellationToken);
        }
        await EndAsync(json, http, more && (request.Top is null || request.Top > written) ? NextLink(http, request, written, query.OrderBy.Count == 0 ? lastId : null) : null, cancellationToken);
        return null;
    }

    private async Task<IResult?> RecordsAsync(HttpContext http, string root, ODataService service, RecordSet set, ODataRequest request, CancellationToken cancellationToken)
    {
        var page = PageOf(http, request);
        var query = ODataQuery.Records(service, set, request, page);
        RecordReader.Check(query);
        if (request.CountOnly) return Count(await records.CountAsync(query with { Limit = null, Offset = 0 }, cancellationToken));
        if (request.Key is not null)
        {
            string? found = null;
            await foreach (var row in records.ReadAsync(query, cancellationToken)) found = row;
            return found is null ? Problems.OData(404, $"{set.Name}({ODataLinks.KeyLiteral(request.Key)}) does not exist.")
                : Single(root, request, writer => writer.Record(found));
        }
        long? count = request.Count ? await records.CountAsync(query with { Limit = null, Offset = 0 }, cancellationToken) : null;
        await using var rows = records.ReadAsync(query, cancellationToken).GetAsyncEnumerator(cancellationToken);
        var next = await rows.MoveNextAsync(); // the query runs before the answer starts
        await using var json = output.Begin(http, root, set.Name, count);
        var entity = new ODataEntityWriter(json, output.Validate, request.Select);
        var written = 0;
        var more = false;
        for (; next; next = await rows.MoveNextAsync())
        {
            if (written == page) { more = true; break; }
            json.WriteStartObject();
            entity.Record(rows.Current);
            json.WriteEndObject();
            written++;
        }
        await EndAsync(json, http, more && (request.Top is null || request.Top > written) ? NextLink(http, request, written, null) : null, cancellationToken);
        return null;
    }

    /// <summary>
    /// One entity: its members beside "@odata.context" in the response object; or one property of it as {"value": ...};
    /// or that property's raw value as text (204 when it is null).
    /// </summary>
    private IResult Single(string root, ODataRequest request, Action<ODataEntityWriter> members)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = output.Writer(buffer))
        {
            json.WriteStartObject();
            if (request.Property is null) json.WriteString("@odata.context", $"{root}$metadata#{request.Set}/$entity");
            members(new ODataEntityWriter(json, output.Validate, request.Select));
            json.WriteEndObject();
        }
        if (request.Property is null) return Results.Bytes(buffer.WrittenMemory.ToArray(), ODataLinks.JsonType);
        using var entity = JsonDocument.Parse(buffer.WrittenMemory.ToArray());
        var value = entity.RootElement.TryGetProperty(request.Property, out var v) ? v : default;
        if (request.RawValue)
            return value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? Results.NoContent()
                : Results.Text(value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText(), "text/plain; charset=utf-8");
        buffer.Clear();
        using (var json = output.Writer(buffer))
        {
            json.WriteStartObject();
            json.WriteString("@odata.context", $"{root}$metadata#{request.Set}({ODataLinks.KeyLiteral(request.Key)})/{request.Property}");
            json.WritePropertyName("value");
            if (value.ValueKind == JsonValueKind.Undefined) json.WriteNullValue();
            else value.WriteTo(json);
            json.WriteEndObject();
        }
        return Results.Bytes(buffer.WrittenMemory.ToArray(), ODataLinks.JsonType);
    }

    /// <summary>/$count: the number alone, as text (what Power Query folds a row count to).</summary>
    private static IResult Count(long count) => Results.Text(count.ToString(CultureInfo.InvariantCulture), "text/plain; charset=utf-8");

    /// <summary>Rows in this response: $top, the client's "Prefer: odata.maxpagesize=N", and at most <see cref="PageSize"/>.</summary>
    internal static int PageOf(HttpContext http, ODataRequest request)
    {
        var page = (int)Math.Min(request.Top ?? PageSize, PageSize);
        foreach (var preference in http.Request.Headers["Prefer"].SelectMany(h => h!.Split(',', StringSplitOptions.TrimEntries)))
            if (preference.StartsWith("odata.maxpagesize=", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(preference["odata.maxpagesize=".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var preferred) && preferred > 0)
            {
                page = Math.Min(page, preferred);
                http.Response.Headers["Preference-Applied"] = $"odata.maxpagesize={page}";
            }
        return page;
    }

    internal static async Task EndAsync(Utf8JsonWriter json, HttpContext http, string? nextLink, CancellationToken cancellationToken)
    {
        json.WriteEndArray();
        if (nextLink is not null) json.WriteString("@odata.nextLink", nextLink);
        json.WriteEndObject();
        await FlushAsync(json, http, cancellationToken);
    }

    internal static async Task FlushAsync(Utf8JsonWriter json, HttpContext http, CancellationToken cancellationToken)
    {
        json.Flush();
        await http.Response.BodyWriter.FlushAsync(cancellationToken);
    }

    /// <summary>The same request for the next page: a $skiptoken after the last key, or $skip further on; $top reduced by what was sent.</summary>
    internal static string NextLink(HttpContext http, ODataRequest request, int written, long? lastId)
    {
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(http.Request.QueryString.Value)
            .Where(p => p.Key is not ("$skip" or "$skiptoken" or "$top")).ToDictionary(p => p.Key, p => p.Value.ToString());
        if (lastId is not null) query["$skiptoken"] = lastId.Value.ToString(CultureInfo.InvariantCulture);
        else query["$skip"] = ((request.Skip ?? 0) > long.MaxValue - written ? long.MaxValue : (request.Skip ?? 0) + written).ToString(CultureInfo.InvariantCulture);
        if (request.Top is { } top) query["$top"] = (top - written).ToString(CultureInfo.InvariantCulture);
        var url = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}{http.Request.Path}";
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(url, query!);
    }
}
