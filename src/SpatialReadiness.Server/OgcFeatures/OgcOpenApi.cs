using System.Text.Json.Nodes;
using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.Server.OgcFeatures;

/// <summary>
/// The OpenAPI 3.0 document of /ogc, built by hand. Beside the generic /collections/{collectionId} paths it lists
/// each public collection's /items with one query parameter per public field: GDAL and QGIS read those to learn which
/// properties they may filter on server-side. QGIS takes its page size from components.parameters.limit.
/// </summary>
public static class OgcOpenApi
{
    public static JsonObject Document(OgcLinks links, IEnumerable<LayerInfo> layers)
    {
        var paths = new JsonObject
        {
            ["/"] = Get("getLandingPage", "Capabilities", "the landing page", "LandingPage"),
            ["/api"] = Get("getApi", "Capabilities", "this OpenAPI document", "Document"),
            ["/conformance"] = Get("getConformance", "Capabilities", "the conformance classes implemented", "Document"),
            ["/collections"] = Get("getCollections", "Capabilities", "the collections (one per public layer)", "Document"),
            ["/collections/{collectionId}"] = Get("describeCollection", "Capabilities", "a collection", "Document", Ref("collectionId")),
            ["/collections/{collectionId}/queryables"] = Get("getQueryables", "Capabilities", "the properties a filter may name (JSON Schema)", "Document", Ref("collectionId")),
            ["/collections/{collectionId}/items"] = new JsonObject
            {
                ["get"] = Operation("getFeatures", "Data", "features of a collection", "Features", ItemsParameters([Ref("collectionId")])),
                ["post"] = Write("createFeature", "add a feature (editable layers only)", "201", "created; Location names the new feature", Ref("collectionId"), Ref("contentCrs")),
            },
            ["/collections/{collectionId}/items/{featureId}"] = new JsonObject
            {
                ["get"] = Operation("getFeature", "Data", "one feature", "Feature", [Ref("collectionId"), Ref("featureId"), Ref("crs"), Ref("f")]),
                ["put"] = Write("replaceFeature", "replace a feature (editable layers only)", "204", "replaced", Ref("collectionId"), Ref("featureId"), Ref("contentCrs"), Ref("ifMatch")),
                ["patch"] = Write("updateFeature", "update a feature with a JSON merge patch (editable layers only)", "204", "updated", Ref("collectionId"), Ref("featureId"), Ref("contentCrs"), Ref("ifMatch")),
                ["delete"] = Write("deleteFeature", "delete a feature (editable layers only)", "204", "deleted", Ref("collectionId"), Ref("featureId"), Ref("ifMatch")),
            },
        };
        foreach (var layer in layers)
        {
            var parameters = ItemsParameters([]);
            foreach (var field in layer.PublicFields)
                parameters.Add(new JsonObject
                {
                    ["name"] = field, ["in"] = "query", ["required"] = false, ["style"] = "form", ["explode"] = false,
                    ["description"] = $"only features whose '{field}' equals this value",
                    ["schema"] = new JsonObject { ["type"] = "string" },
                });
            paths[$"/collections/{CollectionIds.Of(layer)}/items"] = new JsonObject
            {
                ["get"] = Operation($"getFeatures_{CollectionIds.Of(layer).Replace('-', '_')}", "Data", $"features of {layer.Title}", "Features", parameters),
            };
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.3",
            ["info"] = new JsonObject
            {
                ["title"] = OgcDocuments.Title,
                ["version"] = "1.0.0",
                ["description"] = "OGC API - Features Parts 1 (Core), 2 (CRS), 3 (Filtering, CQL2 text) and 4 (create, replace, update, delete). " +
                                  "Layers have no time field yet: datetime is checked but filters nothing.",
                ["license"] = new JsonObject { ["name"] = "each collection states its own licence" },
            },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = links.Root }),
            ["tags"] = new JsonArray(new JsonObject { ["name"] = "Capabilities" }, new JsonObject { ["name"] = "Data" }),
            ["paths"] = paths,
            ["components"] = new JsonObject { ["parameters"] = Parameters(), ["responses"] = Responses() },
        };
    }

    private static JsonArray ItemsParameters(JsonNode[] first) =>
        [.. first, .. ItemsRequest.Parameters.Select(p => p == "f" ? Ref("f") : Ref(p))];

    private static JsonObject Get(string id, string tag, string summary, string response, params JsonNode[] parameters) =>
        new() { ["get"] = Operation(id, tag, summary, response, [.. parameters, Ref("f")]) };

    private static JsonObject Operation(string id, string tag, string summary, string response, JsonArray parameters) => new()
    {
        ["operationId"] = id,
        ["tags"] = new JsonArray(tag),
        ["summary"] = summary,
        ["parameters"] = parameters,
        ["responses"] = new JsonObject
        {
            ["200"] = new JsonObject { ["$ref"] = $"#/components/responses/{response}" },
            ["400"] = new JsonObject { ["$ref"] = "#/components/responses/Problem" },
            ["404"] = new JsonObject { ["$ref"] = "#/components/responses/Problem" },
        },
    };

    private static JsonObject Write(string id, string summary, string status, string description, params JsonNode[] parameters)
    {
        var operation = new JsonObject
        {
            ["operationId"] = id,
            ["tags"] = new JsonArray("Data"),
            ["summary"] = summary,
            ["parameters"] = new JsonArray(parameters),
            ["responses"] = new JsonObject
            {
                [status] = new JsonObject { ["description"] = description },
                ["400"] = new JsonObject { ["$ref"] = "#/components/responses/Problem" },
                ["404"] = new JsonObject { ["$ref"] = "#/components/responses/Problem" },
                ["405"] = new JsonObject { ["$ref"] = "#/components/responses/Problem" },
                ["412"] = new JsonObject { ["$ref"] = "#/components/responses/Problem" },
                ["422"] = new JsonObject { ["$ref"] = "#/components/responses/Problem" },
            },
        };
        if (id != "deleteFeature")
            operation["requestBody"] = new JsonObject
            {
                ["required"] = true,
                ["content"] = new JsonObject
                {
                    [id == "updateFeature" ? "application/merge-patch+json" : OgcLinks.GeoJson] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "object" } },
                },
            };
        return operation;
    }

    private static JsonObject Ref(string name) => new() { ["$ref"] = $"#/components/parameters/{name}" };

    private static JsonObject Query(string name, string description, JsonObject schema, string style = "form", bool explode = false) => new()
    {
        ["name"] = name, ["in"] = "query", ["required"] = false, ["style"] = style, ["explode"] = explode,
        ["description"] = description, ["schema"] = schema,
    };

    private static JsonObject Parameters()
    {
        JsonObject CrsSchema() => new() { ["type"] = "string", ["format"] = "uri", ["enum"] = new JsonArray([.. OgcCrs.Supported.Select(c => (JsonNode)c.Uri!)]), ["default"] = OgcCrs.Crs84.Uri };
        return new JsonObject
        {
            ["collectionId"] = new JsonObject { ["name"] = "collectionId", ["in"] = "path", ["required"] = true, ["description"] = "{city}__{layer}, e.g. pune__wards", ["schema"] = new JsonObject { ["type"] = "string" } },
            ["featureId"] = new JsonObject { ["name"] = "featureId", ["in"] = "path", ["required"] = true, ["description"] = "the feature id", ["schema"] = new JsonObject { ["type"] = "integer", ["format"] = "int64" } },
            ["limit"] = Query("limit", $"page size; at most {ItemsRequest.MaxLimit} (larger values are capped)",
                new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = ItemsRequest.MaxLimit, ["default"] = ItemsRequest.DefaultLimit }),
            ["offset"] = Query("offset", "features to skip (next and prev links set it)", new JsonObject { ["type"] = "integer", ["minimum"] = 0, ["default"] = 0 }),
            ["after"] = Query("after", "start after this feature id (next links set it; not with offset)", new JsonObject { ["type"] = "integer", ["minimum"] = 0 }),
            ["bbox"] = Query("bbox", "minx,miny,maxx,maxy (or 6 numbers) in bbox-crs", new JsonObject
            {
                ["type"] = "array", ["minItems"] = 4, ["maxItems"] = 6, ["items"] = new JsonObject { ["type"] = "number" },
            }),
            ["bbox-crs"] = Query("bbox-crs", "CRS of bbox", CrsSchema()),
            ["crs"] = Query("crs", "CRS of the geometries returned (EPSG:4326 is latitude first)", CrsSchema()),
            ["datetime"] = Query("datetime", "RFC 3339 instant or interval; checked, but layers have no time field yet, so it filters nothing", new JsonObject { ["type"] = "string" }),
            ["filter"] = Query("filter", "a CQL2 text filter, e.g. wardnum > 10 AND S_INTERSECTS(geometry, POINT(73.85 18.52))", new JsonObject { ["type"] = "string" }),
            // "cql-text" is the draft's name: GDAL 3.6 uses server-side filtering only when it sees it.
            ["filter-lang"] = Query("filter-lang", "the filter language", new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("cql2-text", "cql-text"), ["default"] = "cql2-text" }),
            ["filter-crs"] = Query("filter-crs", "CRS of geometry literals in filter", CrsSchema()),
            ["q"] = Query("q", "free-text search: comma-separated terms; a feature matches when any of its text fields contains any term (case-insensitive), e.g. q=nagar,colony", new JsonObject { ["type"] = "string" }),
            ["sortby"] = Query("sortby", "sort keys: id or queryables, each with + (ascending, the default) or - (descending), e.g. -households,+slum_name", new JsonObject { ["type"] = "string" }),
            ["f"] = Query("f", "the format (default from the Accept header)", new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("json", "html") }),
            ["contentCrs"] = new JsonObject { ["name"] = "Content-Crs", ["in"] = "header", ["required"] = false, ["description"] = "<uri> of the CRS of the body's geometry (default CRS84)", ["schema"] = new JsonObject { ["type"] = "string" } },
            ["ifMatch"] = new JsonObject { ["name"] = "If-Match", ["in"] = "header", ["required"] = false, ["description"] = "the ETag of the feature as last read; 412 if it changed since (optional)", ["schema"] = new JsonObject { ["type"] = "string" } },
        };
    }

    private static JsonObject Responses()
    {
        JsonObject Response(string description, params string[] types)
        {
            var content = new JsonObject();
            foreach (var type in types) content[type] = new JsonObject { ["schema"] = new JsonObject { ["type"] = type == OgcLinks.Html ? "string" : "object" } };
            return new JsonObject { ["description"] = description, ["content"] = content };
        }
        return new JsonObject
        {
            ["LandingPage"] = Response("the landing page", OgcLinks.Json, OgcLinks.Html),
            ["Document"] = Response("the document", OgcLinks.Json, OgcLinks.Html),
            ["Features"] = Response("a GeoJSON FeatureCollection with numberMatched, numberReturned, timeStamp and next/prev links", OgcLinks.GeoJson, OgcLinks.Html),
            ["Feature"] = Response("a GeoJSON Feature, with its ETag", OgcLinks.GeoJson, OgcLinks.Html),
            ["Problem"] = Response("an RFC 9457 problem: what is wrong and what to do", "application/problem+json"),
        };
    }
}
