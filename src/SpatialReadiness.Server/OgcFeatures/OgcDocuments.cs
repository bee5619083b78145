using System.Text.Json.Nodes;
using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.Server.OgcFeatures;

/// <summary>The landing page, conformance, collections and queryables documents (Part 1 Core, Part 3 queryables).</summary>
public static class OgcDocuments
{
    public static readonly IReadOnlyList<string> ConformanceClasses =
    [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    ];

    public const string Title = "SpatialReadiness: city GIS layers";

    public static JsonObject Landing(OgcLinks links, bool html) => new()
    {
        ["title"] = Title,
        ["description"] = "Public layers of Indian cities (wards, slums, assets, boundaries) with their provenance and licence, as OGC API - Features.",
        ["links"] = Append(links.SelfAndAlternate("", OgcLinks.Json, html),
            links.Link("/api", "service-desc", OgcLinks.OpenApi, "the API definition (OpenAPI 3.0)"),
            links.Link("/api?f=html", "service-doc", OgcLinks.Html, "the API documentation"),
            links.Link("/conformance", "conformance", OgcLinks.Json, "conformance classes implemented by this server"),
            links.Link("/collections", "data", OgcLinks.Json, "the collections: one per public layer")),
    };

    public static JsonObject ConformanceDocument() => new() { ["conformsTo"] = new JsonArray([.. Conformance.All.Select(c => (JsonNode)c!)]) };

    public static JsonObject Collections(OgcLinks links, IEnumerable<LayerInfo> layers, bool html) => new()
    {
        ["links"] = links.SelfAndAlternate("/collections", OgcLinks.Json, html),
        ["collections"] = new JsonArray([.. layers.Select(l => (JsonNode)Collection(links, l, false))]),
    };

    public static JsonObject Collection(OgcLinks links, LayerInfo layer, bool html)
    {
        var id = CollectionIds.Of(layer);
        var path = $"/collections/{id}";
        var p = layer.Provenance;
        var collection = new JsonObject
        {
            ["id"] = id,
            ["title"] = layer.Title,
            ["description"] = layer.Description ?? $"{layer.Kind} layer '{layer.Name}' of {layer.City}",
            ["itemType"] = "feature",
            ["licence"] = layer.Licence,
            ["keywords"] = new JsonArray(layer.Kind, layer.City),
            ["editable"] = layer.Editable,
            ["provenance"] = new JsonObject
            {
                ["version"] = layer.Version,
                ["source"] = layer.Source,
                ["custodian"] = layer.Custodian,
                ["surveyDate"] = layer.SurveyDate?.ToString("yyyy-MM-dd"),
                ["sourceFile"] = p.SourceFile,
                ["format"] = p.Format,
                ["crsReceived"] = p.CrsReceived,
                ["by"] = p.ImportedBy,
                ["organisation"] = p.Organisation,
                ["at"] = p.ImportedAt.ToString("O"),
            },
            ["crs"] = new JsonArray([.. OgcCrs.Supported.Select(c => (JsonNode)c.Uri!)]),
            ["storageCrs"] = OgcCrs.Crs84.Uri,
            ["links"] = Append(links.SelfAndAlternate(path, OgcLinks.Json, html),
                links.Link(path + "/items", "items", OgcLinks.GeoJson, "the features"),
                links.Link(path + "/items?f=html", "items", OgcLinks.Html, "the features as HTML"),
                links.Link(path + "/queryables", "http://www.opengis.net/def/rel/ogc/1.0/queryables", OgcLinks.JsonSchema, "the properties a filter can use"),
                links.Link(path + "/queryables", "queryables", OgcLinks.JsonSchema, "the properties a filter can use")),
        };
        if (p.SourceSha256 is { } sha) collection["provenance"]!["sourceSha256"] = sha; // absent where the view withholds it (LayerInfo.DigestsWithheld)
        if (layer.Bbox is { } b)
            collection["extent"] = new JsonObject
            {
                ["spatial"] = new JsonObject { ["bbox"] = new JsonArray(new JsonArray(b[0], b[1], b[2], b[3])), ["crs"] = OgcCrs.Crs84.Uri },
            };
        return collection;
    }

    /// <summary>A JSON Schema of what a filter may name: the public fields with their JSON types, and the geometry.</summary>
    public static JsonObject Queryables(OgcLinks links, LayerInfo layer, IReadOnlyDictionary<string, FieldType> types)
    {
        var properties = new JsonObject
        {
            ["geometry"] = new JsonObject { ["format"] = "geometry-any", ["title"] = "the feature's geometry (S_INTERSECTS and the other spatial functions)" },
        };
        foreach (var field in layer.PublicFields)
            properties[field] = new JsonObject { ["title"] = field, ["type"] = types.GetValueOrDefault(field).JsonSchema() };
        return new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = links.Url($"/collections/{CollectionIds.Of(layer)}/queryables"),
            ["type"] = "object",
            ["title"] = layer.Title,
            ["properties"] = properties,
            ["additionalProperties"] = false,
        };
    }

    private static JsonArray Append(JsonArray array, params JsonNode[] more)
    {
        foreach (var node in more) array.Add(node);
        return array;
    }
}
