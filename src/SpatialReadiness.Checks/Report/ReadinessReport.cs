using System.Globalization;
using System.Net;
using System.Text;
using NetTopologySuite.Geometries;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks.Report;

/// <summary>
/// The readiness score of a city as one self-contained HTML5 page a person reads, prints or saves: inline CSS and SVG,
/// no script, no external font, image or style sheet. Every string from the data is HTML-escaped and every number is
/// written in the invariant culture. The findings are a capped list; the page links to all of them.
/// </summary>
public static class ReadinessReport
{
    /// <summary>How many findings a report lists; the rest are a link away.</summary>
    public const int FindingsShown = 2_000;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The engine's own version, printed on the report beside the rule set.</summary>
    private static readonly string EngineVersion =
        typeof(ReadinessReport).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <param name="findings">At most a few thousand findings, already ordered (severity, rule, layer, feature).</param>
    /// <param name="totalFindings">How many findings the run has in all.</param>
    /// <param name="publishing">The city's DMAF 4.b-4.d picture, shown apart from the score, when given.</param>
    /// <param name="cityName">The city's name for the title ("Spatial readiness of Pune"); the id when not given.</param>
    /// <param name="boundary">The run's reference boundary, drawn under each rule's map of findings.</param>
    public static string ToHtml(ReadinessScore score, IReadOnlyList<Finding> findings, long totalFindings, Core.Publishing.PublishingPicture? publishing = null,
        string? cityName = null, Geometry? boundary = null)
    {
        ArgumentNullException.ThrowIfNull(score);
        ArgumentNullException.ThrowIfNull(findings);
        var html = new StringBuilder(16_384 + findings.Count * 320);
        Header(html, score, cityName);
        Headline(html, score);
        Parts(html, score.Parts);
        LayerQualityChart(html, score.Layers);
        Deductions(html, score.Layers);
        if (publishing is not null) PublishingSection.Append(html, publishing);
        FindingsByRule.Write(html, score, findings, totalFindings, boundary);
        html.Append("</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void Header(StringBuilder html, ReadinessScore score, string? cityName)
    {
        var title = "Spatial readiness of " + (string.IsNullOrWhiteSpace(cityName) ? score.City : $"{cityName} ({score.City})");
        var hash = score.InputHash.Length > 12 ? score.InputHash[..12] + "…" : score.InputHash;
        var at = score.EvaluatedAt.ToString("yyyy-MM-dd'T'HH:mm:ssK", Inv);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(H(title)).Append("</title>\n<style>").Append(Css).Append("</style>\n</head>\n<body>\n<main>\n")
            .Append("<header>\n<h1>").Append(H(title)).Append("</h1>\n<dl class=\"meta\">\n")
            .Append("<dt>Run</dt><dd><code>").Append(score.RunId.ToString("D")).Append("</code></dd>\n")
            .Append("<dt>Rule set</dt><dd>").Append(H(score.RuleSetVersion)).Append("</dd>\n")
            .Append("<dt>Evaluated at</dt><dd><time datetime=\"").Append(at).Append("\">").Append(at).Append("</time></dd>\n")
            .Append("<dt>Input hash</dt><dd><code title=\"").Append(H(score.InputHash)).Append("\">").Append(H(hash)).Append("</code></dd>\n")
            .Append("<dt>Engine</dt><dd>SpatialReadiness ").Append(H(EngineVersion)).Append("; ").Append(H(score.EngineVersions)).Append("</dd>\n</dl>\n</header>\n")
            .Append("<nav><a href=\"#score\">Score</a> · <a href=\"#parts\">Parts</a> · <a href=\"#quality\">Layer quality</a> · ")
            .Append("<a href=\"#deductions\">Deductions</a> · <a href=\"#findings\">Findings</a></nav>\n");
    }

    private static void Headline(StringBuilder html, ReadinessScore score)
    {
        html.Append("<section id=\"score\">\n<h2>Score</h2>\n<div class=\"headline\">\n");
        Figure(html, "SRS-20", Num(score.Srs20, "0.0"), "20");
        Figure(html, "SRS-100", Num(score.Srs100, "0.0"), "100");
        foreach (var part in score.Parts) Figure(html, "Part " + part.Code, Marks(part.Marks), Marks(part.MaxMarks));
        html.Append("</div>\n");
        var b = score.Boundary;
        var layer = b.Layer is null ? "—" : H(b.Layer) + (b.LayerId is { } id ? " <span class=\"muted\">(layer " + id.ToString(Inv) + ")</span>" : "");
        html.Append("<h3>Reference boundary</h3>\n<dl class=\"meta\">\n")
            .Append("<dt>Source</dt><dd>").Append(H(b.Source)).Append("</dd>\n")
            .Append("<dt>Layer</dt><dd>").Append(layer).Append("</dd>\n")
            .Append("<dt>Area</dt><dd>").Append(b.AreaKm2 is { } area ? Num(area, "#,0.##") + " km²" : "—").Append("</dd>\n")
            .Append("<dt>Exclusion zones</dt><dd>").Append(b.ExclusionZones.ToString("N0", Inv))
            .Append(" (").Append(Num(b.ExclusionZonesKm2, "#,0.##")).Append(" km²)</dd>\n</dl>\n</section>\n");
    }

    private static void Figure(StringBuilder html, string label, string value, string max) =>
        html.Append("<div class=\"figure\"><div class=\"label\">").Append(H(label)).Append("</div><div class=\"value\">")
            .Append(value).Append(" <span class=\"max\">/ ").Append(max).Append("</span></div></div>\n");

    private static void Parts(StringBuilder html, IReadOnlyList<ScorePart> parts)
    {
        html.Append("<section id=\"parts\">\n<h2>Marks by part</h2>\n");
        foreach (var part in parts)
        {
            html.Append("<h3>").Append(H(part.Code)).Append(". ").Append(H(part.Title)).Append(" — ")
                .Append(Marks(part.Marks)).Append(" / ").Append(Marks(part.MaxMarks)).Append("</h3>\n")
                .Append("<div class=\"scroll\"><table>\n<thead><tr><th>Item</th><th>Title</th><th class=\"num\">Marks</th><th>Basis</th></tr></thead>\n<tbody>\n");
            foreach (var item in part.Items)
                html.Append("<tr><td><code>").Append(H(item.Code)).Append("</code></td><td>").Append(H(item.Title))
                    .Append(item.Declared ? " <span class=\"declared\">declared</span>" : "")
                    .Append("</td><td class=\"num\">").Append(Marks(item.Marks)).Append(" / ").Append(Marks(item.MaxMarks))
                    .Append("</td><td>").Append(H(item.Basis)).Append("</td></tr>\n");
            html.Append("</tbody>\n</table></div>\n");
        }
        if (parts.Any(p => p.Items.Any(i => i.Declared)))
            html.Append("<p class=\"muted\">Items labelled declared rest on what the city stated, not on measurement.</p>\n");
        html.Append("</section>\n");
    }

    private static void LayerQualityChart(StringBuilder html, IReadOnlyList<LayerQuality> layers)
    {
        html.Append("<section id=\"quality\">\n<h2>Layer quality</h2>\n")
            .Append("<p class=\"muted\">Quality Q of each layer, 0–100. A layer that fails a gate scores 0; its gate is shown in red.</p>\n");
        if (layers.Count == 0)
        {
            html.Append("<p>No layers were checked.</p>\n</section>\n");
            return;
        }
        var bars = layers.Select(l => new SvgBarChart.Bar($"{l.Layer} ({l.Kind})", l.Quality, Num(l.Quality, "0.0"), l.Gate)).ToList();
        SvgBarChart.Write(html, "Layer quality, 0 to 100", bars, 100, "#4a78a8", "0");
        html.Append("</section>\n");
    }

    private static void Deductions(StringBuilder html, IReadOnlyList<LayerQuality> layers)
    {
        html.Append("<section id=\"deductions\">\n<h2>Deductions by rule</h2>\n")
            .Append("<p class=\"muted\">Points of layer quality lost under each rule, summed over the layers.</p>\n");
        var lost = layers.SelectMany(l => l.Rules).GroupBy(r => r.Rule, StringComparer.Ordinal)
            .Select(g => (Rule: g.Key, Lost: g.Sum(r => r.Lost)))
            .Where(r => r.Lost > 0).OrderByDescending(r => r.Lost).ThenBy(r => r.Rule, StringComparer.Ordinal).ToList();
        if (lost.Count == 0) html.Append("<p>No points were lost under any rule.</p>\n");
        else SvgBarChart.Write(html, "Points lost per rule, summed over layers",
            lost.Select(r => new SvgBarChart.Bar(r.Rule, r.Lost, Marks(r.Lost))).ToList(), SvgBarChart.NiceCeiling(lost[0].Lost), "#b5533c", "0.##");
        foreach (var layer in layers) LayerRules(html, layer);
        html.Append("</section>\n");
    }

    private static void LayerRules(StringBuilder html, LayerQuality layer)
    {
        html.Append("<h3 id=\"layer-").Append(layer.LayerId.ToString(Inv)).Append("\">").Append(H(layer.Layer))
            .Append(" <span class=\"muted\">(").Append(H(layer.Kind)).Append(")</span> — Q ").Append(Num(layer.Quality, "0.0")).Append("</h3>\n")
            .Append("<p>").Append(H(layer.Title)).Append(" · version ").Append(layer.Version.ToString(Inv)).Append(" · ")
            .Append(layer.FeatureCount.ToString("N0", Inv)).Append(" features · ").Append(Link(layer.FindingsUrl, "findings of this layer")).Append("</p>\n");
        if (layer.FieldMap.Count > 0)
        {
            html.Append("<p>Fields read:</p>\n<ul class=\"fields\">\n");
            foreach (var choice in layer.FieldMap)
                html.Append("<li><code>").Append(H(choice.Canonical)).Append("</code> ← <code>").Append(H(choice.Field)).Append("</code>: ")
                    .Append(H(choice.Reason)).Append("</li>\n");
            html.Append("</ul>\n");
        }
        if (layer.Gate is not null) html.Append("<p class=\"gate\">Gate failed: ").Append(H(layer.Gate)).Append("</p>\n");
        if (layer.Rules.Count > 0)
        {
            html.Append("<div class=\"scroll\"><table>\n<thead><tr><th>Rule</th><th>Title</th><th class=\"num\">Weight</th><th class=\"num\">Tolerance</th>")
                .Append("<th>Applicable</th><th class=\"num\">Population</th><th class=\"num\">Offending</th><th class=\"num\">Error rate</th>")
                .Append("<th class=\"num\">Lost</th><th class=\"num\">Findings</th></tr></thead>\n<tbody>\n");
            foreach (var r in layer.Rules)
                html.Append("<tr><td><code>").Append(H(r.Rule)).Append("</code></td><td>").Append(H(r.Title))
                    .Append("</td><td class=\"num\">").Append(Marks(r.Weight)).Append("</td><td class=\"num\">").Append(Percent(r.Tolerance))
                    .Append("</td><td>").Append(r.Applicable ? "yes" : "<span class=\"muted\">" + H(r.Note ?? "no") + "</span>")
                    .Append("</td><td class=\"num\">").Append(Num(r.Population, "#,0.##")).Append("</td><td class=\"num\">").Append(Num(r.Offending, "#,0.##"))
                    .Append("</td><td class=\"num\">").Append(Percent(r.ErrorRate)).Append("</td><td class=\"num\">").Append(Marks(r.Lost))
                    .Append("</td><td class=\"num\">").Append(r.Findings.ToString("N0", Inv)).Append("</td></tr>\n");
            html.Append("</tbody>\n</table></div>\n");
        }
        if (layer.Warnings.Count == 0) return;
        html.Append("<p>Warnings (reported, not scored):</p>\n<ul>\n");
        foreach (var w in layer.Warnings)
            html.Append("<li><code>").Append(H(w.Rule)).Append("</code> ").Append(H(w.Title)).Append(": ")
                .Append(w.Findings.ToString("N0", Inv)).Append(w.Findings == 1 ? " finding" : " findings").Append("</li>\n");
        html.Append("</ul>\n");
    }

    /// <summary>"77.20900 E 28.61390 N": the centroid of the finding's location, 5 decimals (about 1 m).</summary>
    internal static string Where(Geometry? location)
    {
        if (location is null || location.IsEmpty) return "";
        var c = location.Centroid;
        if (c is null || c.IsEmpty || !double.IsFinite(c.X) || !double.IsFinite(c.Y)) return "";
        return string.Create(Inv, $"{Math.Abs(c.X):0.00000} {(c.X < 0 ? 'W' : 'E')} {Math.Abs(c.Y):0.00000} {(c.Y < 0 ? 'S' : 'N')}");
    }

    /// <summary>A link to a URL the server gave; anything that is not http(s) or relative (javascript:, data:) stays text.</summary>
    internal static string Link(string url, string text)
    {
        var schemeEnd = url.IndexOfAny([':', '/', '?', '#']);
        var safe = url.Length > 0 && (schemeEnd < 0 || url[schemeEnd] != ':')
            || url.StartsWith("https:", StringComparison.OrdinalIgnoreCase) || url.StartsWith("http:", StringComparison.OrdinalIgnoreCase);
        return safe ? "<a href=\"" + H(url) + "\">" + H(text) + "</a>" : H(text);
    }

    private static string H(string? text) => WebUtility.HtmlEncode(text ?? "");

    private static string Num(double value, string format) => double.IsFinite(value) ? value.ToString(format, Inv) : "—";

    private static string Marks(double value) => Num(value, "0.##");

    private static string Percent(double fraction) => double.IsFinite(fraction) ? (fraction * 100).ToString("0.###", Inv) + " %" : "—";

    /// <summary>Plain, calm and printable; tables scroll sideways on a phone instead of squeezing.</summary>
    private const string Css = """

        * { box-sizing: border-box; }
        body { margin: 0; color: #1f2328; background: #fff; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans Devanagari", "Noto Sans Tamil", sans-serif; }
        main { max-width: 64rem; margin: 0 auto; padding: 1rem; }
        h1 { font-size: 1.6rem; margin: .5rem 0 .75rem; }
        h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; padding-bottom: .2rem; border-bottom: 1px solid #d0d7de; }
        h3 { font-size: 1.05rem; margin: 1.5rem 0 .4rem; }
        a { color: #0b5cad; overflow-wrap: anywhere; }
        nav { margin: 1rem 0; }
        code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; }
        dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0; }
        dl.meta dt { color: #57606a; }
        dl.meta dd { margin: 0; overflow-wrap: anywhere; }
        .headline { display: flex; flex-wrap: wrap; gap: .75rem; margin: .75rem 0; }
        .figure { border: 1px solid #d0d7de; border-radius: 6px; padding: .5rem 1rem; min-width: 8rem; }
        .figure .label { color: #57606a; font-size: .85rem; }
        .figure .value { font-size: 1.9rem; font-weight: 600; }
        .figure .max { font-size: 1rem; font-weight: 400; color: #57606a; }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; font-size: .9rem; }
        th, td { border: 1px solid #d0d7de; padding: .3rem .5rem; text-align: left; vertical-align: top; }
        th { background: #f6f8fa; }
        .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        td.loc { white-space: nowrap; font-variant-numeric: tabular-nums; }
        .declared { display: inline-block; font-size: .75rem; padding: 0 .45rem; border: 1px solid #9a6700; border-radius: 1rem; color: #9a6700; }
        .gate, .sev-gate { color: #b00020; font-weight: 600; }
        .sev-error { color: #a40e26; }
        .sev-warning { color: #9a6700; }
        .muted, .sev-info { color: #57606a; }
        .chart { overflow-x: auto; margin: .5rem 0 1rem; }
        figure.map { margin: .5rem 0 1rem; }
        figure.map svg { display: block; width: 100%; max-width: 30rem; height: auto; border: 1px solid #d0d7de; }
        figure.map figcaption { color: #57606a; font-size: .85rem; }
        article.rule { break-inside: auto; }
        .chart svg { display: block; width: 100%; min-width: 30rem; max-width: 48rem; height: auto; font-family: system-ui, sans-serif; }
        @media print {
          body { font-size: 10pt; }
          main { max-width: none; padding: 0; }
          nav { display: none; }
          .scroll, .chart { overflow: visible; }
          tr, .chart, .figure, figure.map { break-inside: avoid; }
          h2, h3 { break-after: avoid; }
          a { color: inherit; }
        }

        """;
}
