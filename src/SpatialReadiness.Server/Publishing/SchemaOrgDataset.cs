using System.Globalization;
using System.Text.Json.Nodes;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Publishing;

namespace SpatialReadiness.Server.Publishing;

/// <summary>
/// A public layer as a schema.org Dataset (JSON-LD), embedded in its OGC API collection page so general search engines
/// and Google Dataset Search index it: name, description, keywords, licence, publisher, dates, extent, downloads.
/// </summary>
public static class SchemaOrgDataset
{
    public static JsonObject Of(CatalogInput input, PublishedUrls urls, LayerInfo layer)
    {
        var licence = Licences.Recognise(layer.Licence);
        var (_, publisher) = input.Publisher(layer);
        var dataset = new JsonObject
        {
            ["@context"] = "https://schema.org/",
            ["@type"] = "Dataset",
            ["@id"] = urls.Dataset(layer),
            ["name"] = layer.Title,
            ["description"] = input.Description(layer),
            ["url"] = urls.Collection(layer) + "?f=html",
            ["identifier"] = PublishedUrls.CkanName(layer),
            ["keywords"] = new JsonArray([.. input.Keywords(layer).Select(k => (JsonNode)k)]),
            ["license"] = licence?.Uri ?? layer.Licence,
            ["isAccessibleForFree"] = true,
            ["publisher"] = new JsonObject { ["@type"] = "Organization", ["name"] = publisher },
            ["dateCreated"] = layer.CreatedAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["dateModified"] = (layer.ContentUpdatedAt ?? layer.UpdatedAt).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["version"] = layer.Version,
            ["includedInDataCatalog"] = new JsonObject { ["@type"] = "DataCatalog", ["name"] = $"{input.City(layer.City).Name}: spatial layers", ["url"] = urls.Catalog(layer.City) },
            ["distribution"] = new JsonArray([.. new[] { ("geojson", "application/geo+json"), ("csv", "text/csv"), ("shp", "application/zip"), ("gpkg", "application/geopackage+sqlite3") }
                .Select(d => (JsonNode)new JsonObject { ["@type"] = "DataDownload", ["encodingFormat"] = d.Item2, ["contentUrl"] = urls.Download(layer, d.Item1) })]),
        };
        if (layer.Custodian is { } custodian) dataset["creator"] = new JsonObject { ["@type"] = "Organization", ["name"] = custodian };
        if (layer.SurveyDate is { } surveyed) dataset["temporalCoverage"] = surveyed.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (layer.Bbox is { } b)
            dataset["spatialCoverage"] = new JsonObject
            {
                ["@type"] = "Place",
                ["geo"] = new JsonObject { ["@type"] = "GeoShape", ["box"] = string.Create(CultureInfo.InvariantCulture, $"{b[1]} {b[0]} {b[3]} {b[2]}") },
            };
        return dataset;
    }
}
