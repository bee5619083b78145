using System.Text.Json.Nodes;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.PostGis.Tiles;

namespace SpatialReadiness.Server.Styles;

/// <summary>
/// The MapLibre styles of styles/ (one per layer kind, plus findings), embedded in the server. As stored they are
/// templates written against the kind's canonical fields (layers/schemas); bound to a layer they point at its tiles
/// and MVT layer, and read its own field names ("Ward No" where the schema says ward_no), so any MapLibre client
/// (the viewer, QGIS, MapLibre GL) can draw the layer from one URL.
/// </summary>
public static class StyleCatalog
{
    public const string Findings = "findings";

    private static readonly Lazy<IReadOnlyDictionary<string, string>> Texts = new(() =>
    {
        var assembly = typeof(StyleCatalog).Assembly;
        return assembly.GetManifestResourceNames().Where(n => n.StartsWith("styles.", StringComparison.Ordinal))
            .ToDictionary(n => n["styles.".Length..^".json".Length], n =>
            {
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                return reader.ReadToEnd();
            }, StringComparer.Ordinal);
    });

    public static IEnumerable<string> Ids => Texts.Value.Keys.Order(StringComparer.Ordinal);

    /// <summary>The style as stored, or null when there is none by that id.</summary>
    public static JsonObject? Template(string id) => Texts.Value.TryGetValue(id, out var text) ? JsonNode.Parse(text)!.AsObject() : null;

    /// <summary>The style of a layer kind; "other" for kinds without one of their own.</summary>
    public static string ForKind(string kind) => Texts.Value.ContainsKey(kind) && kind != Findings ? kind : LayerKind.Other.ToName();

    /// <summary>The style drawing <paramref name="layer"/>: its tiles (absolute URL), its MVT layer name, its own field names.</summary>
    public static JsonObject BindToLayer(JsonObject style, LayerInfo layer, string origin)
    {
        var source = SingleSource(style);
        source["tiles"] = new JsonArray($"{origin}/tiles/{layer.Id}/{{z}}/{{x}}/{{y}}.mvt");
        source["attribution"] = $"{layer.Title}: {layer.Licence}";
        var fields = LayerKinds.TryParse(layer.Kind, out var kind)
            ? FieldMapping.Resolve(LayerSchema.For(kind), layer.PublicFields, layer.FieldMap).AsDictionary()
            : new Dictionary<string, string>();
        foreach (var styleLayer in style["layers"]!.AsArray().OfType<JsonObject>())
        {
            if (styleLayer["source-layer"] is JsonValue sourceLayer)
                styleLayer["source-layer"] = IsLabels(sourceLayer) ? layer.Name + TileLayer.LabelsSuffix
                    : IsDensity(sourceLayer) ? layer.Name + TileLayer.DensitySuffix : layer.Name;
            var fallbacks = (styleLayer["metadata"]?[FallbackKey] as JsonObject)?
                .ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.Ordinal) ?? [];
            RenameFields(styleLayer, fields, layer.PublicFields, fallbacks);
        }
        style["name"] = $"{layer.Title} ({style["name"]})";
        BindGlyphs(style, origin);
        return style;
    }

    private static bool IsDensity(JsonValue sourceLayer) =>
        sourceLayer.TryGetValue<string>(out var name) && name.EndsWith(TileLayer.DensitySuffix, StringComparison.Ordinal);

    internal static bool IsDensity(JsonObject styleLayer) => styleLayer["source-layer"] is JsonValue sourceLayer && IsDensity(sourceLayer);

    private static bool IsLabels(JsonValue sourceLayer) =>
        sourceLayer.TryGetValue<string>(out var name) && name.EndsWith(TileLayer.LabelsSuffix, StringComparison.Ordinal);

    /// <summary>Whether a style layer draws label points (source-layer "{layer}_labels").</summary>
    internal static bool IsLabels(JsonObject styleLayer) => styleLayer["source-layer"] is JsonValue sourceLayer && IsLabels(sourceLayer);

    /// <summary>The fields a style layer (or any part of it) reads with ["get", field].</summary>
    internal static IEnumerable<string> FieldsRead(JsonNode? node) => node switch
    {
        JsonArray { Count: 2 } array when IsText(array[0], "get") && array[1] is JsonValue name && name.TryGetValue<string>(out var field) => [field],
        JsonArray array => array.SelectMany(FieldsRead),
        JsonObject obj => obj.SelectMany(p => FieldsRead(p.Value)),
        _ => [],
    };

    /// <summary>The findings style reading <paramref name="city"/>'s findings (GeoJSON) from this server.</summary>
    public static JsonObject BindToCity(JsonObject style, string city, string origin)
    {
        SingleSource(style)["data"] = $"{origin}/api/cities/{Uri.EscapeDataString(city)}/findings?limit=10000";
        BindGlyphs(style, origin);
        return style;
    }

    /// <summary>The glyphs URL ("/fonts/{fontstack}/{range}.pbf" as stored) made absolute: MapLibre resolves it against the page, not the style.</summary>
    private static void BindGlyphs(JsonObject style, string origin)
    {
        if (style["glyphs"] is JsonValue glyphs && glyphs.TryGetValue<string>(out var path) && path.StartsWith('/'))
            style["glyphs"] = origin + path;
    }

    private static JsonObject SingleSource(JsonObject style) => style["sources"]!.AsObject().Single().Value!.AsObject();

    /// <summary>
    /// A style layer's metadata member naming, for a canonical field, the one to read instead when the layer lacks it
    /// ({"ward_no": "ward_name"}: a ward layer without numbers is labelled by name). It stands in for MapLibre's
    /// coalesce, which QGIS's style import cannot read.
    /// </summary>
    public const string FallbackKey = "spatialreadiness:fallback";

    /// <summary>
    /// ["get", canonical] becomes ["get", the layer's field], or its fallback's when the layer lacks it; a canonical
    /// field the layer lacks reads null.
    /// </summary>
    private static void RenameFields(JsonNode? node, IReadOnlyDictionary<string, string> fields, IReadOnlyList<string> publicFields, IReadOnlyDictionary<string, string> fallbacks)
    {
        switch (node)
        {
            case JsonArray { Count: 2 } array when IsText(array[0], "get") && array[1] is JsonValue name && name.TryGetValue<string>(out var canonical):
                if (Own(canonical) is { } own) array[1] = own;
                else if (fallbacks.TryGetValue(canonical, out var fallback) && Own(fallback) is { } instead) array[1] = instead;
                break;
            case JsonArray array:
                foreach (var item in array) RenameFields(item, fields, publicFields, fallbacks);
                break;
            case JsonObject obj:
                foreach (var (key, value) in obj)
                    if (key != "metadata") RenameFields(value, fields, publicFields, fallbacks);
                break;
        }

        string? Own(string canonical) => fields.TryGetValue(canonical, out var own) && publicFields.Contains(own) ? own : null;
    }

    private static bool IsText(JsonNode? node, string text) => node is JsonValue value && value.TryGetValue<string>(out var s) && s == text;
}
