using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.Server.OgcFeatures;

/// <summary>
/// A collection is one public layer, named "{city}__{layer}" (e.g. pune__wards): readable in QGIS's and GDAL's layer
/// lists, and stable across re-imports since (city, name) is what identifies a layer. City ids never hold '_', so
/// the first "__" always splits it.
/// </summary>
public static class CollectionIds
{
    public static string Of(LayerInfo layer) => $"{layer.City}__{layer.Name}";

    public static bool TrySplit(string id, out string city, out string name)
    {
        var at = id.IndexOf("__", StringComparison.Ordinal);
        (city, name) = at > 0 ? (id[..at], id[(at + 2)..]) : ("", "");
        return at > 0 && name.Length > 0;
    }
}
