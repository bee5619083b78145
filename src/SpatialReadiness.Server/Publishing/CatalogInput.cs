using SpatialReadiness.Core.Accounts;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Server.Publishing;

/// <summary>
/// What the catalogue (DCAT and CKAN) is made from: the cities, the layers anonymous readers can read (never a
/// sensitive one), the organisations that own them and each city's newest readiness score.
/// </summary>
public sealed record CatalogInput(
    IReadOnlyList<CityInfo> Cities,
    IReadOnlyList<LayerInfo> Layers,
    IReadOnlyDictionary<string, Organisation> Organisations,
    IReadOnlyDictionary<string, ReadinessScore> Scores,
    DateTimeOffset AsOf)
{
    public CityInfo City(string id) => Cities.First(c => c.Id == id);

    public LayerQuality? Quality(LayerInfo layer) =>
        Scores.TryGetValue(layer.City, out var score) ? score.Layers.FirstOrDefault(q => q.LayerId == layer.Id) : null;

    public string? RuleSetVersion(LayerInfo layer) => Scores.TryGetValue(layer.City, out var score) ? score.RuleSetVersion : null;

    /// <summary>Who publishes a layer: the organisation that owns it, else the city itself.</summary>
    public (string Id, string Name) Publisher(LayerInfo layer) =>
        layer.Owner is { } owner && Organisations.TryGetValue(owner, out var org) ? (org.Id, org.Name) : ($"city-{layer.City}", $"{City(layer.City).Name} (city)");

    /// <summary>Keywords from the layer's kind, plus the city's name.</summary>
    public IReadOnlyList<string> Keywords(LayerInfo layer) =>
    [
        .. layer.Kind switch
        {
            "ward" => new[] { "ward", "administrative boundaries", "electoral wards" },
            "slum" => ["slum", "informal settlements", "housing"],
            "building" => ["buildings", "building footprints", "property survey"],
            "asset" => ["assets", "public facilities", "infrastructure"],
            "boundary" => ["city boundary", "municipal limits", "administrative boundaries"],
            _ => ["spatial data"],
        },
        City(layer.City).Name, "GIS", "Smart Cities Mission",
    ];

    /// <summary>The layer's description, or one made from what is known about it.</summary>
    public string Description(LayerInfo layer) => !string.IsNullOrWhiteSpace(layer.Description) ? layer.Description
        : $"{char.ToUpperInvariant(layer.Kind[0])}{layer.Kind[1..]} layer of {City(layer.City).Name}: {layer.FeatureCount} features from {layer.Provenance.SourceFile} ({layer.Format}).";
}
