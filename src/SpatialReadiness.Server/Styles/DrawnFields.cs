using System.Text.Json.Nodes;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.PostGis.Tiles;

namespace SpatialReadiness.Server.Styles;

/// <summary>
/// What a layer's style draws, derived once from the style bound to the layer: the fields its style layers read (its
/// own names), each from the lowest tile zoom that needs it (one below the style layer's minzoom, since a client may
/// draw a tile up to a zoom above its own), and the fields its label points carry (those its label layers read, at
/// every zoom; null when the style draws no labels, so its tiles carry no points). Tiles carry exactly these.
/// </summary>
public sealed record DrawnFields(IReadOnlyList<LowZoomField> ByZoom, IReadOnlyList<string>? Labels)
{
    public static DrawnFields Of(LayerInfo layer)
    {
        var style = StyleCatalog.BindToLayer(StyleCatalog.Template(StyleCatalog.ForKind(layer.Kind))!, layer, "");
        var styleLayers = style["layers"]!.AsArray().OfType<JsonObject>().Where(l => l["source-layer"] is JsonValue).ToList();
        var byZoom = styleLayers.Where(l => !StyleCatalog.IsLabels(l) && !StyleCatalog.IsDensity(l))
            .SelectMany(l => StyleCatalog.FieldsRead(l).Select(field => new LowZoomField(field, Math.Max(0, (int)(l["minzoom"]?.GetValue<double>() ?? 0) - 1))))
            .Where(f => layer.PublicFields.Contains(f.Field))
            .GroupBy(f => f.Field).Select(g => g.MinBy(f => f.FromZoom)!).ToList();
        var labelLayers = styleLayers.Where(StyleCatalog.IsLabels).ToList();
        var labels = labelLayers.Count == 0 ? null : labelLayers.SelectMany(l => StyleCatalog.FieldsRead(l)).Where(layer.PublicFields.Contains).Distinct().ToList();
        return new DrawnFields(byZoom, labels);
    }
}
