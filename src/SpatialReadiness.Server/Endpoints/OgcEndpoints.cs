using System.Text.Json.Nodes;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.Core.Features;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.PostGis.Contributions;
using SpatialReadiness.PostGis.Features;
using SpatialReadiness.PostGis.Layers;
using SpatialReadiness.Server.Auth;
using SpatialReadiness.PostGis.Accounts;
using SpatialReadiness.Server.OgcFeatures;
using SpatialReadiness.Server.Publishing;
using SpatialReadiness.Server.Tiles;
using SpatialReadiness.Server.Uploads;

namespace SpatialReadiness.Server.Endpoints;

/// <summary>
/// OGC API - Features at /ogc (Parts 1-4): routes only; the protocol lives in OgcFeatures/. Every resource answers
/// GET, HEAD and OPTIONS (with Allow), in JSON or HTML (f=html or Accept: text/html). Every collection is a layer as the
/// caller may see it: sensitive layers exist only for readers allowed their data, sensitive fields only for them.
/// </summary>
public static class OgcEndpoints
{
    private static readonly string[] Read = ["GET", "HEAD"];

    public static void MapOgcEndpoints(this IEndpointRouteBuilder app)
    {
        // Described by its own OpenAPI document at /ogc/api, not by /openapi/v1.json.
        var ogc = app.MapGroup("/ogc").ExcludeFromDescription().AddEndpointFilter(async (context, next) =>
        {
            try { return await next(context); }
            catch (OgcException e) { return FeatureWrites.Problem(e.Status, "Bad request", e.Status == 400 ? "Malformed" : "TooLarge", e.Message); }
        });
        ogc.MapMethods("", Read, Landing);
        ogc.MapMethods("/api", Read, Api);
        ogc.MapMethods("/conformance", Read, (HttpContext http) => Document(http, "Conformance", OgcDocuments.ConformanceDocument()));
        ogc.MapMethods("/collections", Read, async (HttpContext http, LayerStore store) =>
            Document(http, "Collections", OgcDocuments.Collections(OgcLinks.For(http.Request), await store.ReadableLayersAsync(http.Caller(), http.RequestAborted), Html(http.Request))));
        ogc.MapMethods("/collections/{collectionId}", Read, Collection);
        ogc.MapMethods("/collections/{collectionId}/queryables", Read, Queryables);
        ogc.MapMethods("/collections/{collectionId}/items", Read, Items);
        ogc.MapPost("/collections/{collectionId}/items", Write).RequireRole(Role.Contributor).WithUploadLimit();
        ogc.MapMethods("/collections/{collectionId}/items/{featureId}", Read, Item);
        ogc.MapMethods("/collections/{collectionId}/items/{featureId}", ["PUT", "PATCH", "DELETE"], Write).RequireRole(Role.Contributor).WithUploadLimit();
        ogc.MapMethods("", ["OPTIONS"], (HttpContext http) => Allow(http, FeatureWrites.ReadOnly));
        ogc.MapMethods("/{**path}", ["OPTIONS"], Options);
    }

    private static IResult Landing(HttpContext http) =>
        Document(http, OgcDocuments.Title, OgcDocuments.Landing(OgcLinks.For(http.Request), Html(http.Request)));

    /// <summary>Features the HTML page of a collection maps (the first by id): enough to show its shape at a glance.</summary>
    private const int MappedFeatures = 500;

    /// <summary>
    /// A collection; its HTML page maps some of its features and, for a public layer, carries the layer as a
    /// schema.org Dataset for search engines.
    /// </summary>
    private static async Task<IResult> Collection(string collectionId, HttpContext http, LayerStore store, AccountStore accounts, FeatureReader reader)
    {
        if (await FindAsync(collectionId, store, http) is not { } layer) return NoSuchCollection(collectionId);
        var document = OgcDocuments.Collection(OgcLinks.For(http.Request), layer, Html(http.Request));
        if (!Html(http.Request)) return Document(http, layer.Title, document);
        var mapped = new List<JsonNode?>();
        await foreach (var row in reader.ReadAsync(new FeatureQuery([FeatureSource.AsIs(layer)]) { Limit = MappedFeatures, Select = [] }, http.RequestAborted))
            mapped.Add(new JsonObject { ["geometry"] = row.GeoJson is null ? null : JsonNode.Parse(row.GeoJson) });
        JsonObject? linkedData = null;
        if (!layer.Sensitive)
        {
            var city = await store.GetCityAsync(layer.City, http.RequestAborted);
            var owner = layer.Owner is { } id ? await accounts.GetOrganisationAsync(id, http.RequestAborted) : null;
            var input = new CatalogInput([city!], [layer], owner is null ? new Dictionary<string, Organisation>() : new() { [owner.Id] = owner },
                new Dictionary<string, Core.Readiness.ReadinessScore>(), DateTimeOffset.UtcNow);
            linkedData = SchemaOrgDataset.Of(input, CatalogSource.Urls(http.Request), layer);
        }
        return Results.Content(OgcHtml.Page(layer.Title, document, mapped, linkedData), "text/html; charset=utf-8");
    }

    private static async Task<IResult> Api(HttpContext http, LayerStore store)
    {
        var document = OgcOpenApi.Document(OgcLinks.For(http.Request), await store.ReadableLayersAsync(http.Caller(), http.RequestAborted));
        return Html(http.Request) ? Document(http, "API definition", document) : Results.Text(OgcLinks.Text(document), OgcLinks.OpenApi);
    }

    private static async Task<IResult> Queryables(string collectionId, HttpContext http, LayerStore store, LayerFieldTypes fieldTypes)
    {
        if (await FindAsync(collectionId, store, http) is not { } layer) return NoSuchCollection(collectionId);
        var types = await fieldTypes.ForAsync(layer, http.RequestAborted);
        var document = OgcDocuments.Queryables(OgcLinks.For(http.Request), layer, types);
        if (Html(http.Request)) return Document(http, $"Queryables of {layer.Title}", document);
        // GDAL 3.6 refuses a type it did not ask for: schema+json when accepted, else plain JSON.
        var schema = http.Request.Headers.Accept.Any(a => a is not null && a.Contains(OgcLinks.JsonSchema, StringComparison.OrdinalIgnoreCase))
                     || !http.Request.Headers.Accept.Any(a => a is not null && a.Contains(OgcLinks.Json, StringComparison.OrdinalIgnoreCase));
        return Results.Text(OgcLinks.Text(document), schema ? OgcLinks.JsonSchema : OgcLinks.Json);
    }

    private static async Task<IResult> Items(string collectionId, HttpContext http, LayerStore store, FeatureReader reader, LayerFieldTypes fieldTypes)
    {
        if (await FindAsync(collectionId, store, http) is not { } layer) return NoSuchCollection(collectionId);
        var textFields = http.Request.Query.ContainsKey("q")
            ? (await fieldTypes.ForAsync(layer, http.RequestAborted)).Where(t => t.Value == FieldType.Text).Select(t => t.Key).ToList()
            : null;
        var request = ItemsRequest.Parse(layer, http.Request.Query, textFields);
        // numberMatched on the first page only: counting again for every page would re-scan the layer each time.
        long? matched = request.Offset == 0 && request.After is null ? await reader.CountAsync(request.Query with { Limit = null }, http.RequestAborted) : null;
        var links = OgcLinks.For(http.Request);
        var path = $"/collections/{collectionId}/items";
        if (!Html(http.Request)) return new FeaturesResult(reader, request, matched, links, path, http.Request.Query);
        http.Response.Headers["Content-Crs"] = request.Crs.Header;
        return Document(http, layer.Title, await FeaturesResult.ToDocumentAsync(reader, request, matched, links, path, http.Request.Query, http.RequestAborted));
    }

    private static async Task<IResult> Item(string collectionId, string featureId, HttpContext http, LayerStore store, FeatureReader reader, FeatureWriter writer)
    {
        if (await FindAsync(collectionId, store, http) is not { } layer) return NoSuchCollection(collectionId);
        foreach (var name in http.Request.Query.Keys)
            if (name is not ("f" or "crs")) throw new OgcException($"unknown query parameter '{name}'; a feature takes f and crs.");
        var crs = ItemsRequest.CrsParameter(http.Request.Query, "crs");
        if (!long.TryParse(featureId, out var id)) return NoSuchFeature(collectionId, featureId);
        var query = new FeatureQuery([FeatureSource.AsIs(layer)])
        {
            Filter = new Comparison(new FeatureId(), ComparisonOperator.Equal, new Literal(id)),
            Limit = 1,
            OutputSrid = crs.Srid,
            LatitudeFirst = crs.LatitudeFirst,
        };
        FeatureRow? row = null;
        await foreach (var found in reader.ReadAsync(query, http.RequestAborted)) row = found;
        if (row is null) return NoSuchFeature(collectionId, featureId);
        var links = OgcLinks.For(http.Request);
        var path = $"/collections/{collectionId}/items/{id}";
        var feature = new JsonObject
        {
            ["type"] = "Feature",
            ["id"] = row.Id,
            ["geometry"] = row.GeoJson is null ? null : JsonNode.Parse(row.GeoJson),
            ["properties"] = JsonNode.Parse(row.PropertiesJson),
            ["links"] = links.SelfAndAlternate(path, OgcLinks.GeoJson, Html(http.Request)),
        };
        ((JsonArray)feature["links"]!).Add(links.Link($"/collections/{collectionId}", "collection", OgcLinks.Json, layer.Title));
        if (await writer.CurrentAsync(layer, id, http.RequestAborted) is var (tag, version))
        {
            http.Response.Headers.ETag = FeatureWrites.Quote(tag);
            feature["version"] = version; // foreign member: the base version a contribution changing this feature names
        }
        http.Response.Headers["Content-Crs"] = crs.Header;
        return Html(http.Request) ? Document(http, $"{layer.Title}: feature {id}", feature) : Results.Text(OgcLinks.Text(feature), OgcLinks.GeoJson);
    }

    private static async Task<IResult> Write(string collectionId, string? featureId, HttpContext http, LayerStore store, FeatureWriter writer,
        ContributionStore contributions, TileCatalog tiles, ServerOptions options)
    {
        if (await FindAsync(collectionId, store, http) is not { } layer) return NoSuchCollection(collectionId);
        long? id = null;
        if (featureId is not null)
        {
            if (!long.TryParse(featureId, out var parsed)) return NoSuchFeature(collectionId, featureId);
            id = parsed;
        }
        return await FeatureWrites.WriteAsync(http, layer, id, writer, contributions, tiles, options);
    }

    /// <summary>OPTIONS anywhere under /ogc: what the resource allows. For /items, POST only on editable layers.</summary>
    private static async Task<IResult> Options(string path, HttpContext http, LayerStore store)
    {
        var parts = path.Trim('/').Split('/');
        if (parts is ["collections", var id, "items", ..])
        {
            if (await FindAsync(id, store, http) is not { } layer) return NoSuchCollection(id);
            return Allow(http, parts.Length == 3 ? FeatureWrites.ItemsAllow(layer) : FeatureWrites.ItemAllow(layer));
        }
        if (parts is ["collections", var collection, ..] && await FindAsync(collection, store, http) is null) return NoSuchCollection(collection);
        return Allow(http, FeatureWrites.ReadOnly);
    }

    private static IResult Allow(HttpContext http, string allow)
    {
        http.Response.Headers.Allow = allow;
        return Results.NoContent();
    }

    private static IResult Document(HttpContext http, string title, JsonObject document) =>
        Html(http.Request)
            ? Results.Content(OgcHtml.Page(title, document), "text/html; charset=utf-8")
            : Results.Text(OgcLinks.Text(document), OgcLinks.Json);

    /// <summary>f=html or f=json decides; without f, HTML when the client accepts text/html (a browser).</summary>
    private static bool Html(HttpRequest request)
    {
        var f = request.Query["f"].ToString();
        if (f.Length > 0)
            return f switch
            {
                "html" => true,
                "json" or "geojson" => false,
                _ => throw new OgcException($"f '{f}' is not a format here; use f=json or f=html."),
            };
        return request.Headers.Accept.Any(a => a is not null && a.Contains("text/html", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The collection's layer as the caller may see it; null when there is none or it is withheld from them.</summary>
    private static async Task<LayerInfo?> FindAsync(string collectionId, LayerStore store, HttpContext http) =>
        CollectionIds.TrySplit(collectionId, out var city, out var name) && await store.GetLayerAsync(city, name, http.RequestAborted) is { } layer
        && http.Caller().View(layer) is { Withheld: false } view
            ? view : null;

    private static IResult NoSuchCollection(string id) =>
        Problems.Of(InputError.NotFound, $"collection '{id}' does not exist; GET /ogc/collections lists them (ids are {{city}}__{{layer}}).");

    private static IResult NoSuchFeature(string collection, string id) =>
        Problems.Of(InputError.NotFound, $"feature '{id}' does not exist in collection '{collection}'.");
}
