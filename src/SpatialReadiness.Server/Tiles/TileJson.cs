using SpatialReadiness.PostGis.Tiles;
using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.Server.Tiles;

/// <summary>TileJSON 3.0.0 (https://github.com/mapbox/tilejson-spec/tree/master/3.0.0) for one layer or a city.</summary>
public static class TileJson
{
    /// <summary>
    /// <paramref name="maxZoom"/> is the zoom tiles stop adding detail (clients over-zoom beyond it); each layer's
    /// fields carry their TileJSON types (one type per field for every interface: <see cref="FieldTypeNames.TileJson"/>), and a layer with label points has its
    /// "{name}_labels" layer listed too.
    /// </summary>
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
            ["vector_layers"] = layers.SelectMany(l => VectorLayers(l, minZoom, maxZoom)).ToList(),
            ["attribution"] = string.Join("; ", layers.Select(l => l.Info.Licence).Distinct()),
        };
    }

    private static IEnumerable<Dictionary<string, object?>> VectorLayers(TileLayer layer, int minZoom, int maxZoom)
    {
        var info = layer.Info;
        yield return new()
        {
            ["id"] = info.Name,
            ["description"] = $"{info.Title} ({info.Kind}, v{info.Version}, {info.Licence})",
            ["minzoom"] = layer.Dense ? Math.Max(minZoom, TileLayer.DensityToZoom + 1) : minZoom,
            ["maxzoom"] = maxZoom,
            ["fields"] = Types(info.PublicFields, layer),
        };
        if (layer.Dense)
            yield return new()
            {
                ["id"] = layer.DensityLayerName,
                ["description"] = $"how many features of {info.Name} lie in each cell of a 64 x 64 grid over the tile, up to z{TileLayer.DensityToZoom}",
                ["minzoom"] = minZoom,
                ["maxzoom"] = Math.Min(maxZoom, TileLayer.DensityToZoom),
                ["fields"] = new Dictionary<string, string> { ["features"] = FieldType.Integer.TileJson() },
            };
        if (layer.LabelFields is { } labelFields)
            yield return new()
            {
                ["id"] = layer.LabelLayerName,
                ["description"] = $"one label point per feature of {info.Name}, in the one tile that holds it",
                ["minzoom"] = layer.Dense ? Math.Max(minZoom, TileLayer.DensityToZoom + 1) : minZoom,
                ["maxzoom"] = maxZoom,
                ["fields"] = Types(labelFields, layer),
            };
    }

    /// <summary>"Number", "String" or "Boolean" per field: the words GDAL's MVT driver reads to type its columns.</summary>
    private static Dictionary<string, string> Types(IEnumerable<string> fields, TileLayer layer) =>
        fields.ToDictionary(f => f, f => layer.FieldTypes.GetValueOrDefault(f, FieldType.Text).TileJson(), StringComparer.Ordinal);
}
