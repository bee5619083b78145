using System.Globalization;
using System.Net;
using System.Text;
using NetTopologySuite.Geometries;
using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.Checks.Report;

/// <summary>
/// A static map of findings as inline SVG, drawn on the server from their location geometries so the report prints
/// and works offline: the city (the run's reference boundary) in grey, the findings of one rule on top (areas filled,
/// lines stroked, points as dots), a scale bar in metres. Every map of a report shares one frame, the city's extent,
/// so they compare at a glance; locations outside India (null island, a swapped row) are left off the map, since
/// they are listed anyway. Longitude is scaled by cos(latitude), which is true enough at city scale.
/// </summary>
internal static class SvgFindingsMap
{
    private const int Width = 480, Height = 320, Pad = 8;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The frame of the report's maps: the boundary's extent, else the findings' extent inside India.</summary>
    public static Envelope? Frame(Geometry? boundary, IEnumerable<Geometry?> locations)
    {
        if (boundary is { IsEmpty: false }) return boundary.EnvelopeInternal;
        var frame = new Envelope();
        foreach (var g in locations)
            if (g is { IsEmpty: false } && InIndia(g.EnvelopeInternal)) frame.ExpandToInclude(g.EnvelopeInternal);
        return frame.IsNull ? null : frame;
    }

    public static void Write(StringBuilder html, string caption, Envelope frame, Geometry? boundary, IEnumerable<Geometry?> locations, string colour)
    {
        var scale = Math.Min((Width - 2 * Pad) / Math.Max(frame.Width * Math.Cos(frame.Centre.Y * Math.PI / 180), 1e-9), (Height - 2 * Pad) / Math.Max(frame.Height, 1e-9));
        var cos = Math.Cos(frame.Centre.Y * Math.PI / 180);
        var dx = (Width - frame.Width * cos * scale) / 2;
        var dy = (Height - frame.Height * scale) / 2;
        (double X, double Y) P(Coordinate c) => (dx + (c.X - frame.MinX) * cos * scale, Height - dy - (c.Y - frame.MinY) * scale);

        html.Append(Inv, $"<figure class=\"map\"><svg viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"{H(caption)}\">\n")
            .Append("<title>").Append(H(caption)).Append("</title>\n")
            .Append(Inv, $"<rect x=\"0\" y=\"0\" width=\"{Width}\" height=\"{Height}\" fill=\"#f6f8fa\"/>\n");
        if (boundary is { IsEmpty: false }) Shape(html, boundary, P, "#ffffff", "#8c959f", 1);
        var offMap = 0;
        foreach (var g in locations)
        {
            if (g is not { IsEmpty: false }) continue;
            if (!InIndia(g.EnvelopeInternal))
            {
                offMap++;
                continue;
            }
            Shape(html, g, P, colour, colour, 1.5);
        }
        ScaleBar(html, scale);
        html.Append("</svg><figcaption>").Append(H(caption))
            .Append(offMap == 0 ? "" : string.Create(Inv, $"; {offMap} outside India (null island, swapped coordinates) not drawn, listed below"))
            .Append("</figcaption></figure>\n");
    }

    private static void Shape(StringBuilder html, Geometry g, Func<Coordinate, (double X, double Y)> p, string fill, string stroke, double width)
    {
        for (var i = 0; i < g.NumGeometries; i++)
        {
            var part = g.GetGeometryN(i);
            switch (part)
            {
                case Point point:
                    var (x, y) = p(point.Coordinate);
                    html.Append(Inv, $"<circle cx=\"{x:0.#}\" cy=\"{y:0.#}\" r=\"3.5\" fill=\"{fill}\" stroke=\"#ffffff\" stroke-width=\"1\"/>\n");
                    break;
                case Polygon polygon:
                    html.Append("<path d=\"");
                    Ring(html, polygon.ExteriorRing.Coordinates, p);
                    foreach (var hole in polygon.InteriorRings) Ring(html, hole.Coordinates, p);
                    html.Append(Inv, $"\" fill=\"{fill}\" fill-opacity=\"{(fill == "#ffffff" ? 1 : 0.45)}\" fill-rule=\"evenodd\" stroke=\"{stroke}\" stroke-width=\"{width}\"/>\n");
                    // A polygon smaller than a pixel would vanish: mark it.
                    if (polygon.EnvelopeInternal is var e && Math.Max(p(new Coordinate(e.MaxX, e.MaxY)).X - p(new Coordinate(e.MinX, e.MinY)).X, 0) < 2)
                        Shape(html, polygon.Centroid, p, fill, stroke, width);
                    break;
                case LineString line:
                    html.Append("<path d=\"");
                    Ring(html, line.Coordinates, p, close: false);
                    html.Append(Inv, $"\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{width + 0.5}\"/>\n");
                    break;
                case GeometryCollection collection:
                    Shape(html, collection, p, fill, stroke, width);
                    break;
            }
        }
    }

    /// <summary>Vertices rounded to 0.1 px; consecutive repeats dropped, so a detailed boundary costs what the map can show.</summary>
    private static void Ring(StringBuilder html, Coordinate[] coordinates, Func<Coordinate, (double X, double Y)> p, bool close = true)
    {
        var last = "";
        for (var i = 0; i < coordinates.Length; i++)
        {
            var (x, y) = p(coordinates[i]);
            var point = string.Create(Inv, $"{x:0.#} {y:0.#}");
            if (point == last) continue;
            html.Append(i == 0 ? "M" : "L").Append(point).Append(' ');
            last = point;
        }
        if (close) html.Append('Z');
    }

    private static void ScaleBar(StringBuilder html, double scale)
    {
        var metresPerPixel = 111_320 / scale; // a degree of latitude is about 111 km
        var target = metresPerPixel * 100;
        var step = Math.Pow(10, Math.Floor(Math.Log10(target)));
        var metres = target / step >= 5 ? 5 * step : target / step >= 2 ? 2 * step : step;
        var pixels = metres / metresPerPixel;
        var label = metres >= 1000 ? (metres / 1000).ToString("0.#", Inv) + " km" : metres.ToString("0", Inv) + " m";
        html.Append(Inv, $"<g font-size=\"11\" fill=\"#1f2328\"><rect x=\"{Pad + 4}\" y=\"{Height - Pad - 8}\" width=\"{pixels:0.#}\" height=\"4\" fill=\"#1f2328\"/>")
            .Append(Inv, $"<text x=\"{Pad + 8 + pixels:0.#}\" y=\"{Height - Pad - 3}\">{label}</text></g>\n");
    }

    private static bool InIndia(Envelope e) =>
        IndiaExtent.Contains(e.MinX, e.MinY) && IndiaExtent.Contains(e.MaxX, e.MaxY);

    private static string H(string text) => WebUtility.HtmlEncode(text);
}
