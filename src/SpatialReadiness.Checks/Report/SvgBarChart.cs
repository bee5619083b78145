using System.Globalization;
using System.Net;
using System.Text;

namespace SpatialReadiness.Checks.Report;

/// <summary>
/// A horizontal bar chart as inline SVG for the HTML report: one row per bar, its label on the left, the bar scaled to
/// <c>max</c> and its value after it. A row with an <see cref="Bar.Alert"/> shows that text in red instead of a bar
/// (a gated layer). No script, no external font: the page stays readable offline and when printed. The markup is also
/// well-formed XML (no xmlns is needed inside an HTML5 document).
/// </summary>
internal static class SvgBarChart
{
    private const int Width = 720, LabelRight = 250, BarX = 262, BarSpan = 360, RowHeight = 26, BarHeight = 16, Top = 8, AxisHeight = 24;
    private const int LabelChars = 34, AlertChars = 64;
    internal const string AlertColour = "#b00020";

    /// <summary>One row: <paramref name="ValueText"/> is the value as the reader sees it ("87.5").</summary>
    internal sealed record Bar(string Label, double Value, string ValueText, string? Alert = null);

    /// <summary>Appends a <c>&lt;div class="chart"&gt;</c> holding the chart; <paramref name="tickFormat"/> formats the axis ticks.</summary>
    public static void Write(StringBuilder html, string caption, IReadOnlyList<Bar> bars, double max, string fill, string tickFormat)
    {
        var height = Top + bars.Count * RowHeight + AxisHeight;
        html.Append(CultureInfo.InvariantCulture,
            $"<div class=\"chart\"><svg viewBox=\"0 0 {Width} {height}\" width=\"{Width}\" height=\"{height}\" role=\"img\" aria-label=\"{H(caption)}\">\n");
        html.Append("<title>").Append(H(caption)).Append("</title>\n");
        Axis(html, bars.Count, max, tickFormat);
        for (var i = 0; i < bars.Count; i++) Row(html, i, bars[i], max, fill);
        html.Append("</svg></div>\n");
    }

    private static void Axis(StringBuilder html, int rows, double max, string tickFormat)
    {
        var bottom = Top + rows * RowHeight;
        for (var step = 0; step <= 4; step++)
        {
            var x = BarX + BarSpan * step / 4.0;
            var tick = max > 0 && double.IsFinite(max) ? (max * step / 4).ToString(tickFormat, CultureInfo.InvariantCulture) : "";
            html.Append(CultureInfo.InvariantCulture,
                $"<line x1=\"{x:0.#}\" y1=\"{Top}\" x2=\"{x:0.#}\" y2=\"{bottom}\" stroke=\"#d0d7de\" stroke-width=\"1\"/>");
            html.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{x:0.#}\" y=\"{bottom + 16}\" font-size=\"11\" fill=\"#57606a\" text-anchor=\"middle\">{H(tick)}</text>\n");
        }
    }

    private static void Row(StringBuilder html, int index, Bar bar, double max, string fill)
    {
        var top = Top + index * RowHeight;
        var baseline = top + 17.5;
        var tooltip = bar.Alert is null ? $"{bar.Label}: {bar.ValueText}" : $"{bar.Label}: {bar.Alert}";
        html.Append("<g><title>").Append(H(tooltip)).Append("</title>");
        html.Append(CultureInfo.InvariantCulture,
            $"<text x=\"{LabelRight}\" y=\"{baseline:0.#}\" font-size=\"13\" fill=\"#1f2328\" text-anchor=\"end\">{H(Shorten(bar.Label, LabelChars))}</text>");
        if (bar.Alert is not null)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{BarX}\" y=\"{baseline:0.#}\" font-size=\"13\" font-weight=\"600\" fill=\"{AlertColour}\">{H(Shorten(bar.Alert, AlertChars))}</text>");
        }
        else
        {
            var share = max > 0 && double.IsFinite(bar.Value) ? Math.Clamp(bar.Value / max, 0, 1) : 0;
            var width = BarSpan * share;
            html.Append(CultureInfo.InvariantCulture,
                $"<rect x=\"{BarX}\" y=\"{top + (RowHeight - BarHeight) / 2}\" width=\"{width:0.#}\" height=\"{BarHeight}\" fill=\"{fill}\"/>");
            html.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{BarX + width + 6:0.#}\" y=\"{baseline:0.#}\" font-size=\"13\" fill=\"#1f2328\">{H(bar.ValueText)}</text>");
        }
        html.Append("</g>\n");
    }

    /// <summary>The smallest of 1, 2, 5 or 10 x a power of ten at or above <paramref name="value"/>, so the axis ticks are round.</summary>
    internal static double NiceCeiling(double value)
    {
        if (!double.IsFinite(value) || value <= 0) return 1;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in (ReadOnlySpan<double>)[1, 2, 5])
            if (step * magnitude >= value * (1 - 1e-12)) return step * magnitude;
        return 10 * magnitude;
    }

    /// <summary>At most <paramref name="limit"/> characters as a reader counts them (never splitting a Devanagari cluster).</summary>
    internal static string Shorten(string text, int limit)
    {
        var info = new StringInfo(text);
        return info.LengthInTextElements <= limit ? text : info.SubstringByTextElements(0, limit - 1) + "…";
    }

    private static string H(string text) => WebUtility.HtmlEncode(text);
}
