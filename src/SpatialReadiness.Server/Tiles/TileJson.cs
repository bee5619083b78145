using SpatialReadiness.PostGis.Tiles;

namespace SpatialReadiness.Server.Tiles;

/// <summary>TileJSON 3.0.0 (https://github.com/mapbox/tilejson-spec/tree/master/3.0.0) for one layer or a city.</summary>
public static class TileJson
{
    public static Dictionary<string, object?> Of(string name, string tilesUrl, IReadOnlyList<TileLayer> layers, int minZoom, int maxZoom)
    {
        var boxes = layers.Select(l => l.Info.Bbox).OfType<double[]>().ToList();
        double[] bounds = boxes.Count == 0 ? [-180, -85.0511, 180, 85.0511]
            : [boxes.Min(b => b[0]), boxes.Min(b => b[1]), boxes.Max(b => b[2]), boxes.Max(b => b[3])];
        return new Dictionary<string, object?>
        {
            ["tilejson"] = "3.0.0",
            ["name"] = name,
            ["scheme"] = "xyz",
            ["tiles"] = new[] { tilesUrl },
            ["minzoom"] = minZoom,
            ["maxzoom"] = maxZoom,
            ["bounds"] = bounds,
            ["center"] = new[] { (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2, 12 },
            ["vector_layers"] = layers.Select(l => new Dictionary<string, object?>
            {
                ["id"] = l.Info.Name,
                ["description"] = $"{l.Info.Title} ({l.Info.Kind}, v{l.Info.Version}, {l.Info.Licence})",
                ["minzoom"] = minZoom,
                ["maxzoom"] = maxZoom,
                ["fields"] = l.Info.PublicFields.ToDictionary(f => f, _ => "attribute"),
            }).ToList(),
            ["attribution"] = string.Join("; ", layers.Select(l => l.Info.Licence).Distinct()),
        };
    }
}
