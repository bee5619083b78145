using System.Globalization;
using System.Text.Json.Nodes;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Publishing;

namespace SpatialReadiness.Server.Publishing;

/// <summary>
/// Layers as CKAN packages and their publishers as CKAN organisations, shaped as CKAN 2.10's package_show and
/// organization_show answer, so harvesters and ckanapi read them as from a CKAN site. A package's name (and id) is
/// its OGC API collection id; its group is its city; its resources are the live downloads and APIs.
/// </summary>
public sealed class CkanPackages(CatalogInput input, PublishedUrls urls)
{
    public const string CkanVersion = "2.10.4";

    public IEnumerable<LayerInfo> Layers => input.Layers.OrderBy(PublishedUrls.CkanName, StringComparer.Ordinal);

    public LayerInfo? Find(string idOrName) => input.Layers.FirstOrDefault(l => PublishedUrls.CkanName(l) == idOrName);

    public IReadOnlyList<string> Tags(LayerInfo layer) => new[] { layer.Kind }.Concat(input.Keywords(layer)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    public string OrganisationId(LayerInfo layer) => input.Publisher(layer).Id;

    public static IReadOnlyList<(string Format, string MediaType)> ResourceFormats(LayerInfo layer) =>
        [("GeoJSON", "application/geo+json"), ("CSV", "text/csv"), ("SHP", "application/zip"), ("GPKG", "application/geopackage+sqlite3"),
         ("OGC API - Features", "application/geo+json"), ("OData", "application/json"), ("MVT", "application/vnd.mapbox-vector-tile")];

    public JsonObject Package(LayerInfo layer)
    {
        var name = PublishedUrls.CkanName(layer);
        var licence = Licences.Recognise(layer.Licence);
        var (orgId, orgName) = input.Publisher(layer);
        var modified = Time(layer.ContentUpdatedAt ?? layer.UpdatedAt);
        var quality = input.Quality(layer);
        var schedule = LayerSchedule.Of(layer, input.AsOf);
        var city = input.City(layer.City);
        var tags = Tags(layer);
        var resources = Resources(layer, name, modified);
        var extras = new Dictionary<string, string?>
        {
            ["city"] = layer.City,
            ["kind"] = layer.Kind,
            ["dcat_uri"] = urls.Dataset(layer),
            ["spatial"] = layer.Bbox is { } b ? string.Create(CultureInfo.InvariantCulture,
                $"{{\"type\":\"Polygon\",\"coordinates\":[[[{b[0]},{b[1]}],[{b[2]},{b[1]}],[{b[2]},{b[3]}],[{b[0]},{b[3]}],[{b[0]},{b[1]}]]]}}") : null,
            ["survey_date"] = layer.SurveyDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["update_frequency"] = layer.UpdateFrequency,
            ["next_due"] = schedule.NextDue?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["overdue"] = schedule.NextDue is null ? null : schedule.Overdue ? "true" : "false",
            ["source"] = layer.Source,
            ["provenance"] = $"{layer.Provenance.SourceFile} ({layer.Provenance.DigestText}) imported by {layer.Provenance.ImportedBy} on {layer.Provenance.ImportedAt:yyyy-MM-dd}",
            ["readiness_quality"] = quality?.Quality.ToString("0.####", CultureInfo.InvariantCulture),
            ["readiness_rule_set"] = quality is null ? null : input.RuleSetVersion(layer),
            ["findings_url"] = quality is null ? null : urls.Findings(layer),
        };
        return new JsonObject
        {
            ["id"] = name, ["name"] = name, ["title"] = layer.Title, ["notes"] = input.Description(layer),
            ["type"] = "dataset", ["state"] = "active", ["private"] = false, ["isopen"] = licence is not null,
            ["license_id"] = licence?.CkanId ?? "notspecified", ["license_title"] = licence?.Title ?? layer.Licence, ["license_url"] = licence?.Uri,
            ["author"] = layer.Custodian, ["author_email"] = null, ["maintainer"] = orgName, ["maintainer_email"] = null,
            ["url"] = urls.Collection(layer) + "?f=html", ["version"] = layer.Version.ToString(CultureInfo.InvariantCulture),
            ["metadata_created"] = Time(layer.CreatedAt), ["metadata_modified"] = modified,
            ["owner_org"] = orgId, ["organization"] = Organisation(orgId, orgName, null),
            ["groups"] = new JsonArray(new JsonObject { ["id"] = city.Id, ["name"] = city.Id, ["title"] = city.Name, ["display_name"] = city.Name, ["description"] = "", ["image_display_url"] = "" }),
            ["tags"] = new JsonArray([.. tags.Select(t => (JsonNode)new JsonObject { ["id"] = t, ["name"] = t, ["display_name"] = t, ["state"] = "active", ["vocabulary_id"] = null })]),
            ["num_tags"] = tags.Count,
            ["resources"] = resources, ["num_resources"] = resources.Count,
            ["extras"] = new JsonArray([.. extras.Where(e => e.Value is not null).Select(e => (JsonNode)new JsonObject { ["key"] = e.Key, ["value"] = e.Value })]),
            ["relationships_as_object"] = new JsonArray(), ["relationships_as_subject"] = new JsonArray(),
        };
    }

    private JsonArray Resources(LayerInfo layer, string package, string modified)
    {
        var formats = ResourceFormats(layer);
        var entries = new List<(string Key, string Name, string Url, string Description, string Type)>();
        foreach (var (format, key) in formats.Take(4).Zip(PublishedUrls.DownloadFormats))
            entries.Add((key, $"{layer.Title} ({format.Format})", urls.Download(layer, key), $"Download of the current version as {format.Format}, streamed from the live layer", "download"));
        entries.Add(("ogc", "OGC API - Features collection", urls.Collection(layer), "Features, paged and filtered (CQL2), for QGIS and GDAL", "api"));
        entries.Add(("odata", "OData entity set", urls.ODataSet(layer), "OData 4 feed for Excel and Power BI", "api"));
        entries.Add(("tiles", "Vector tiles (TileJSON)", urls.TileJson(layer), $"Mapbox vector tiles {urls.Tiles(layer)}", "api"));
        var resources = new JsonArray();
        for (var i = 0; i < entries.Count; i++)
        {
            var (key, name, url, description, type) = entries[i];
            resources.Add(new JsonObject
            {
                ["id"] = $"{package}--{key}", ["package_id"] = package, ["name"] = name, ["description"] = description,
                ["format"] = formats[i].Format, ["mimetype"] = formats[i].MediaType, ["url"] = url, ["position"] = i,
                ["state"] = "active", ["resource_type"] = type, ["url_type"] = null, ["created"] = Time(layer.CreatedAt), ["last_modified"] = modified,
            });
        }
        return resources;
    }

    /// <summary>Every publisher: the registered organisations, and each city that publishes layers no organisation owns.</summary>
    public IReadOnlyList<(string Id, string Title, string? Kind, int Packages)> Organisations()
    {
        var counts = input.Layers.GroupBy(OrganisationId).ToDictionary(g => g.Key, g => g.Count());
        var registered = input.Organisations.Values.Select(o => (o.Id, Title: o.Name, Kind: (string?)o.Kind));
        var cities = input.Layers.Select(l => input.Publisher(l)).Where(p => !input.Organisations.ContainsKey(p.Id)).Distinct()
            .Select(p => (p.Id, Title: p.Name, Kind: (string?)"city"));
        return registered.Concat(cities).OrderBy(o => o.Id, StringComparer.Ordinal)
            .Select(o => (o.Id, o.Title, o.Kind, counts.GetValueOrDefault(o.Id))).ToList();
    }

    public static JsonObject Organisation(string id, string title, int? packageCount)
    {
        var organisation = new JsonObject
        {
            ["id"] = id, ["name"] = id, ["title"] = title, ["display_name"] = title, ["description"] = "", ["image_url"] = "",
            ["image_display_url"] = "", ["type"] = "organization", ["is_organization"] = true, ["state"] = "active", ["approval_status"] = "approved",
        };
        if (packageCount is { } count) organisation["package_count"] = count;
        return organisation;
    }

    /// <summary>CKAN's timestamp form: UTC, no offset, microseconds.</summary>
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
}
