using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.Core.Publishing;

/// <summary>
/// Where a city stands on DMAF 4.b (datasets published), 4.c (a schedule for updating them) and 4.d (APIs published),
/// measured on what this server publishes to anyone. Not part of SRS-20 (which scores 4.e): shown beside it.
/// </summary>
public sealed record PublishingPicture(
    string City,
    DateTimeOffset AsOf,
    int DatasetsPublished,
    IReadOnlyDictionary<string, int> DatasetsByKind,
    double ShareWithSchedule,
    double ShareOnSchedule,
    IReadOnlyList<PublishingItem> Items,
    IReadOnlyList<PublishedApi> Apis,
    IReadOnlyList<LayerSchedule> Schedule,
    string CatalogUrl,
    string CkanUrl);

/// <summary>One measured item, with how it was measured in words (as the readiness items carry theirs).</summary>
public sealed record PublishingItem(string Code, string Title, double Value, string Display, string Basis);

/// <summary>An API this server publishes for one layer: what kind, its URL and the standard it conforms to.</summary>
public sealed record PublishedApi(string Kind, string Layer, string Url, string ConformsTo);

/// <summary>The standards the published APIs conform to (dct:conformsTo).</summary>
public static class ApiStandards
{
    public const string OgcFeaturesCore = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core";
    public const string OData = "http://docs.oasis-open.org/odata/odata/v4.01/";
    public const string VectorTiles = "https://github.com/mapbox/vector-tile-spec/tree/master/2.1";
}

public static class PublishingPictures
{
    /// <summary>The picture for <paramref name="publicLayers"/>: the city's layers that anonymous readers can read.</summary>
    public static PublishingPicture Of(CityInfo city, IReadOnlyList<LayerInfo> publicLayers, PublishedUrls urls, DateTimeOffset asOf)
    {
        var layers = publicLayers.Where(l => l.City == city.Id).OrderBy(l => l.Kind, StringComparer.Ordinal).ThenBy(l => l.Name, StringComparer.Ordinal).ToList();
        var byKind = layers.GroupBy(l => l.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        var schedule = layers.Select(l => LayerSchedule.Of(l, asOf)).ToList();
        var scheduled = schedule.Where(s => s.NextDue is not null).ToList();
        var onTime = scheduled.Where(s => !s.Overdue).ToList();
        var overdue = scheduled.Where(s => s.Overdue).ToList();
        var irregular = schedule.Where(s => s.HasSchedule && s.NextDue is null).ToList();
        double withShare = layers.Count == 0 ? 0 : (double)scheduled.Count / layers.Count;
        double onShare = layers.Count == 0 ? 0 : (double)onTime.Count / layers.Count;
        List<PublishedApi> apis =
        [
            .. layers.Select(l => new PublishedApi("OGC API - Features collection", l.Name, urls.Collection(l), ApiStandards.OgcFeaturesCore)),
            .. layers.Select(l => new PublishedApi("OData entity set", l.Name, urls.ODataSet(l), ApiStandards.OData)),
            .. layers.Select(l => new PublishedApi("Vector tile set (TileJSON)", l.Name, urls.TileJson(l), ApiStandards.VectorTiles)),
        ];
        string Names(IEnumerable<LayerSchedule> s) => string.Join(", ", s.Select(x => x.Layer));
        PublishingItem[] items =
        [
            new("4.b", "Datasets published", layers.Count, $"{layers.Count}",
                layers.Count == 0 ? "no public layer: nothing is in the catalogue"
                : $"{layers.Count} public layers ({string.Join(", ", byKind.Select(k => $"{k.Value} {k.Key}"))}) are dcat:Datasets in {urls.Catalog(city.Id)} and packages of the CKAN API, each with GeoJSON, CSV, Shapefile and GeoPackage downloads; sensitive layers are not counted"),
            new("4.c", "Datasets with an update schedule", Math.Round(withShare, 4), $"{100 * withShare:0.#} %",
                layers.Count == 0 ? "no public layer"
                : $"{scheduled.Count} of {layers.Count} public layers declare an update frequency with a due date"
                  + (irregular.Count > 0 ? $"; irregular (no due date): {Names(irregular)}" : "")
                  + (schedule.Count(s => !s.HasSchedule) is > 0 and var none ? $"; {none} declare none" : "")),
            new("4.c", "Datasets updated on schedule", Math.Round(onShare, 4), $"{100 * onShare:0.#} %",
                layers.Count == 0 ? "no public layer"
                : $"{onTime.Count} of {layers.Count} public layers are within their update schedule as of {asOf:yyyy-MM-dd}"
                  + (overdue.Count > 0 ? $"; overdue: {string.Join(", ", overdue.Select(s => $"{s.Layer} (due {s.NextDue:yyyy-MM-dd})"))}" : "")),
            new("4.d", "APIs published", apis.Count, $"{apis.Count}",
                layers.Count == 0 ? "no public layer: no API serves the city"
                : $"{layers.Count} OGC API - Features collections ({urls.OgcRoot}), {layers.Count} OData entity sets ({urls.ODataRoot}) and {layers.Count} vector tile sets, one of each per public layer, listed as dcat:DataServices in the catalogue"),
        ];
        return new PublishingPicture(city.Id, asOf, layers.Count, byKind, Math.Round(withShare, 4), Math.Round(onShare, 4), items, apis, schedule,
            urls.Catalog(city.Id), $"{urls.Root}/api/3/action/package_search?fq=groups:{city.Id}");
    }
}
