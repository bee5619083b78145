using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.Core.Publishing;

/// <summary>
/// The absolute URLs at which this server publishes a layer (OGC API collection, OData entity set, tiles, downloads,
/// findings) and its catalogue entries: one place, so the DCAT catalogue, the CKAN API and the 4.d picture agree.
/// </summary>
public sealed class PublishedUrls(string root)
{
    /// <summary>The server's root without a trailing slash, e.g. http://127.0.0.1:5080.</summary>
    public string Root { get; } = root.TrimEnd('/');

    public static readonly IReadOnlyList<string> DownloadFormats = ["geojson", "csv", "shp", "gpkg"];

    public string Catalog(string? city = null) => city is null ? $"{Root}/catalog" : $"{Root}/catalog/{city}";

    public string Dataset(LayerInfo layer) => $"{Catalog(layer.City)}/datasets/{layer.Name}";

    public string Layer(LayerInfo layer) => $"{Root}/api/layers/{layer.Id}";

    public string Download(LayerInfo layer, string format) => $"{Root}/api/layers/{layer.Id}/export?format={format}";

    public string OgcRoot => $"{Root}/ogc";

    public string Collection(LayerInfo layer) => $"{Root}/ogc/collections/{layer.City}__{layer.Name}";

    public string ODataRoot => $"{Root}/odata";

    /// <summary>The typed entity set of the layer's kind (Wards, Slums, Assets; else Features), filtered to the layer.</summary>
    public string ODataSet(LayerInfo layer) =>
        $"{Root}/odata/{ODataSetName(layer.Kind)}?$filter=City%20eq%20%27{layer.City}%27%20and%20Layer%20eq%20%27{layer.Name}%27";

    public static string ODataSetName(string kind) => kind switch
    {
        "ward" => "Wards",
        "slum" => "Slums",
        "asset" => "Assets",
        _ => "Features",
    };

    public string TileJson(LayerInfo layer) => $"{Root}/tiles/{layer.Id}.json";

    public string Tiles(LayerInfo layer) => $"{Root}/tiles/{layer.Id}/{{z}}/{{x}}/{{y}}.mvt";

    public string Findings(LayerInfo layer) => $"{Root}/api/cities/{layer.City}/findings?layer={layer.Name}";

    public string Readiness(LayerInfo layer) => $"{Root}/api/cities/{layer.City}/readiness/layers/{layer.Name}";

    public string Publishing(string city) => $"{Root}/api/cities/{city}/publishing";

    public string CkanPackage(LayerInfo layer) => $"{Root}/api/3/action/package_show?id={CkanName(layer)}";

    /// <summary>The CKAN package name (and id) of a layer: the same as its OGC API collection id.</summary>
    public static string CkanName(LayerInfo layer) => $"{layer.City}__{layer.Name}";
}
