using SpatialReadiness.Server.Resilience;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SpatialReadiness.PostGis.Features;
using SpatialReadiness.Server.GeoJson;

namespace SpatialReadiness.Server.OgcFeatures;

/// <summary>
/// A page of /items as a GeoJSON FeatureCollection, written as rows stream from PostGIS (never the page in memory),
/// with numberMatched, numberReturned, timeStamp, and self/alternate/next/prev links that keep the request's query.
/// </summary>
public sealed class FeaturesResult(FeatureReader reader, ItemsRequest request, long? matched, OgcLinks links, string path, IQueryCollection query) : IResult
{
    public async Task ExecuteAsync(HttpContext http)
    {
        var response = http.Response;
        response.ContentType = OgcLinks.GeoJson;
        response.Headers["Content-Crs"] = request.Crs.Header;
        if (HttpMethods.IsHead(http.Request.Method)) return;
        var rows = await reader.ReadAsync(request.Query, http.RequestAborted).StartAsync(http.RequestAborted);
        await using var writer = FeatureCollectionWriter.Start(response.BodyWriter);
        long? next = null;
        long lastId = 0;
        await foreach (var row in rows)
        {
            if (writer.Written == request.Limit) { next = row.Id; break; }
            await writer.WriteAsync(row, http.RequestAborted);
            lastId = row.Id;
        }
        await writer.EndAsync(json =>
        {
            if (matched is not null) json.WriteNumber("numberMatched", matched.Value);
            json.WriteNumber("numberReturned", writer.Written);
            json.WriteString("timeStamp", DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            json.WritePropertyName("links");
            Links(links, path, query, request, next is null ? null : lastId).WriteTo(json);
        }, http.RequestAborted);
    }

    /// <summary>The same page as a JSON document (for HTML, which needs the rows before it can lay out the table).</summary>
    public static async Task<JsonObject> ToDocumentAsync(FeatureReader reader, ItemsRequest request, long? matched, OgcLinks links, string path, IQueryCollection query, CancellationToken cancellationToken)
    {
        var features = new JsonArray();
        long? after = null;
        await foreach (var row in reader.ReadAsync(request.Query, cancellationToken))
        {
            if (features.Count == request.Limit) { after = features[^1]!["id"]!.GetValue<long>(); break; }
            features.Add(new JsonObject
            {
                ["type"] = "Feature", ["id"] = row.Id,
                ["geometry"] = row.GeoJson is null ? null : JsonNode.Parse(row.GeoJson),
                ["properties"] = JsonNode.Parse(row.PropertiesJson),
            });
        }
        var document = new JsonObject { ["type"] = "FeatureCollection" };
        if (matched is not null) document["numberMatched"] = matched.Value;
        document["numberReturned"] = features.Count;
        document["links"] = Links(links, path, query, request, after);
        document["features"] = features;
        return document;
    }

    /// <summary>
    /// self, alternate, next (when more follow: after <paramref name="nextAfter"/>, the last id sent; by offset when
    /// sorted, since the key order is then not the id's) and prev (for offset pages).
    /// </summary>
    private static JsonArray Links(OgcLinks links, string path, IQueryCollection query, ItemsRequest request, long? nextAfter)
    {
        var html = query["f"] == "html";
        var type = html ? OgcLinks.Html : OgcLinks.GeoJson;
        var result = new JsonArray
        {
            links.Link(path + Query(query, null, html ? "html" : null), "self", type, "this page"),
            links.Link(path + Query(query, null, html ? null : "html"), "alternate", html ? OgcLinks.GeoJson : OgcLinks.Html, html ? "this page as GeoJSON" : "this page as HTML"),
        };
        if (nextAfter is not null)
            result.Add(links.Link(path + (request.Query.OrderBy.Count > 0
                ? Query(query, request.Offset > long.MaxValue - request.Limit ? long.MaxValue : request.Offset + request.Limit, html ? "html" : null)
                : Query(query, null, html ? "html" : null, nextAfter)), "next", type, "the next page"));
        if (request.Offset > 0)
            result.Add(links.Link(path + Query(query, Math.Max(0, request.Offset - request.Limit), html ? "html" : null), "prev", type, "the previous page"));
        return result;
    }

    /// <summary>The request's query with offset, after and f replaced.</summary>
    private static string Query(IQueryCollection query, long? offset, string? format, long? after = null)
    {
        var pairs = query.Where(p => p.Key is not ("offset" or "after" or "f")).SelectMany(p => p.Value.Select(v => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(v ?? "")}")).ToList();
        if (offset is > 0) pairs.Add($"offset={offset.Value.ToString(CultureInfo.InvariantCulture)}");
        if (after is not null) pairs.Add($"after={after.Value.ToString(CultureInfo.InvariantCulture)}");
        if (format is not null) pairs.Add($"f={format}");
        return pairs.Count == 0 ? "" : "?" + string.Join('&', pairs);
    }
}
