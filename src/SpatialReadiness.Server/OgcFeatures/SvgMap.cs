using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace SpatialReadiness.Server.OgcFeatures;

/// <summary>
/// A small map of GeoJSON features (lon/lat) drawn by the server as inline SVG, for the HTML pages: no script, no tile
/// service, readable offline. Equirectangular, with longitude shortened by cos(latitude) so a city keeps its shape.
/// </summary>
public static class SvgMap
{
    public const int Width = 480, Height = 320;
    private const double Margin = 8;

    /// <summary>The SVG element, or "" when no feature has a geometry.</summary>
    public static string Of(IEnumerable<JsonNode?> features, string title)
    {
        var geometries = features.OfType<JsonObject>().Select(f => f["geometry"] as JsonObject).OfType<JsonObject>().ToList();
        var points = geometries.SelectMany(g => Positions(g["coordinates"])).ToList();
        if (points.Count == 0) return "";
        double minX = points.Min(p => p.X), maxX = points.Max(p => p.X), minY = points.Min(p => p.Y), maxY = points.Max(p => p.Y);
        var shrink = Math.Cos((minY + maxY) / 2 * Math.PI / 180);
        var spanX = Math.Max((maxX - minX) * shrink, 1e-9);
        var spanY = Math.Max(maxY - minY, 1e-9);
        var scale = Math.Min((Width - 2 * Margin) / spanX, (Height - 2 * Margin) / spanY);
        var offsetX = (Width - spanX * scale) / 2;
        var offsetY = (Height - spanY * scale) / 2;
        string X(double lon) => ((lon - minX) * shrink * scale + offsetX).ToString("0.#", CultureInfo.InvariantCulture);
        string Y(double lat) => ((maxY - lat) * scale + offsetY).ToString("0.#", CultureInfo.InvariantCulture);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"map\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"Map of {System.Net.WebUtility.HtmlEncode(title)}\">")
            .Append("<rect width=\"100%\" height=\"100%\" fill=\"#f4f1ea\"/>");
        foreach (var geometry in geometries) Draw(svg, geometry, X, Y);
        return svg.Append("</svg>").ToString();
    }

    private static void Draw(StringBuilder svg, JsonObject geometry, Func<double, string> x, Func<double, string> y)
    {
        var type = geometry["type"]?.GetValue<string>();
        var coordinates = geometry["coordinates"];
        switch (type)
        {
            case "Point":
            case "MultiPoint":
                foreach (var p in Positions(coordinates))
                    svg.Append("<circle cx=\"").Append(x(p.X)).Append("\" cy=\"").Append(y(p.Y)).Append("\" r=\"3\" fill=\"#2f5d9e\" stroke=\"#fff\"/>");
                break;
            case "LineString":
            case "MultiLineString":
            case "Polygon":
            case "MultiPolygon":
                var closed = type.EndsWith("Polygon", StringComparison.Ordinal);
                svg.Append("<path d=\"");
                foreach (var ring in Rings(coordinates))
                {
                    var first = true;
                    foreach (var p in ring)
                    {
                        svg.Append(first ? 'M' : 'L').Append(x(p.X)).Append(',').Append(y(p.Y));
                        first = false;
                    }
                    if (closed) svg.Append('Z');
                }
                svg.Append(closed ? "\" fill=\"#2f5d9e\" fill-opacity=\"0.2\" fill-rule=\"evenodd\" stroke=\"#2f5d9e\"/>" : "\" fill=\"none\" stroke=\"#2f5d9e\"/>");
                break;
            case "GeometryCollection":
                foreach (var part in (geometry["geometries"] as JsonArray ?? []).OfType<JsonObject>()) Draw(svg, part, x, y);
                break;
        }
    }

    /// <summary>Every innermost list of positions (a line or ring).</summary>
    private static IEnumerable<List<(double X, double Y)>> Rings(JsonNode? node)
    {
        if (node is not JsonArray array || array.Count == 0) yield break;
        if (array[0] is JsonArray { Count: > 0 } first && first[0] is JsonValue)
        {
            yield return Positions(array).ToList();
            yield break;
        }
        foreach (var item in array)
            foreach (var ring in Rings(item)) yield return ring;
    }

    private static IEnumerable<(double X, double Y)> Positions(JsonNode? node)
    {
        if (node is not JsonArray array) yield break;
        if (array.Count >= 2 && array[0] is JsonValue x && array[1] is JsonValue y)
        {
            yield return (x.GetValue<double>(), y.GetValue<double>());
            yield break;
        }
        foreach (var item in array)
            foreach (var p in Positions(item)) yield return p;
    }
}
