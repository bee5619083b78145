using System.Text.Json;

namespace SpatialReadiness.Server.OgcFeatures;

/// <summary>
/// A query POSTed to /items, as OWSLib sends its cql= (a CQL-JSON or CQL2-JSON document, with filter-lang in the URL),
/// is answered 400 with what to send instead, before sign-in is asked for: otherwise it would meet the Part 4 create
/// endpoint and its "Not signed in", which tells the reader nothing. POST /items with a GeoJSON Feature still creates.
/// </summary>
public static class QueryPosts
{
    /// <summary>Bodies larger than this are never queries (a filter is a few hundred bytes); they go on to the create endpoint.</summary>
    private const int MaxQueryBytes = 1 << 20;

    /// <summary>The operators of CQL-JSON (the 2020 draft OWSLib follows) that can stand alone at a document's root.</summary>
    private static readonly HashSet<string> CqlJsonOperators = new(StringComparer.OrdinalIgnoreCase)
    {
        "and", "or", "not", "eq", "lt", "gt", "lte", "gte", "like", "in", "between", "isNull", "intersects", "within", "contains",
        "disjoint", "touches", "crosses", "overlaps", "equals", "before", "after", "during", "anyinteracts",
    };

    public static IApplicationBuilder UseOgcQueryPosts(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (HttpMethods.IsPost(http.Request.Method) && IsItems(http.Request.Path, out var collection) && await IsQueryAsync(http.Request))
        {
            await FeatureWrites.Problem(StatusCodes.Status400BadRequest, "Query by POST not supported", "QueryByPostNotSupported",
                $"a CQL2-JSON (or CQL-JSON) query sent by POST is not supported here: POST /items creates a feature from a GeoJSON Feature. "
                + $"Send the query as CQL2 text in the URL instead: GET /ogc/collections/{collection}/items?filter-lang=cql2-text&filter=<CQL2 text>, "
                + "e.g. filter=wardnum > 10 AND name LIKE '%nagar%' (OWSLib: items(filter=...) rather than cql=...).")
                .ExecuteAsync(http);
            return;
        }
        await next(http);
    });

    private static bool IsItems(PathString path, out string collection)
    {
        var parts = (path.Value ?? "").Trim('/').Split('/');
        collection = parts.Length == 4 ? parts[2] : "";
        return parts is ["ogc", "collections", _, "items"];
    }

    private static async Task<bool> IsQueryAsync(HttpRequest request)
    {
        if (request.Query.ContainsKey("filter-lang") || request.Query.ContainsKey("filter")) return true;
        var type = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant() ?? "";
        if (type.Contains("cql", StringComparison.Ordinal) || type == "application/query+json") return true;
        if (!type.EndsWith("json", StringComparison.Ordinal) || request.ContentLength is null or > MaxQueryBytes) return false;
        request.EnableBuffering();
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            var root = document.RootElement;
            // A GeoJSON Feature has "type"; a CQL2-JSON query has "op", a CQL-JSON one a single operator member.
            return root.ValueKind == JsonValueKind.Object && !root.TryGetProperty("type", out _)
                   && (root.TryGetProperty("op", out _) || (root.EnumerateObject().Count() == 1 && CqlJsonOperators.Contains(root.EnumerateObject().First().Name)));
        }
        catch (JsonException)
        {
            return false; // the create endpoint explains a malformed body
        }
        finally
        {
            request.Body.Position = 0;
        }
    }
}
