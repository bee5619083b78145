using System.Globalization;
using System.Net;
using System.Text;
using NetTopologySuite.Geometries;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks.Report;

/// <summary>
/// The findings section of the report: one group per rule, the rule costing the most points first (then gates,
/// errors, warnings, info, and the most findings), each with a static map of its findings, the first rows as a table
/// and links to the whole list as GeoJSON and CSV, instead of one table of thousands of rows.
/// </summary>
internal static class FindingsByRule
{
    public const int RowsPerRule = 25;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Write(StringBuilder html, ReadinessScore score, IReadOnlyList<Finding> findings, long total, Geometry? boundary)
    {
        var url = score.FindingsUrl;
        html.Append("<section id=\"findings\">\n<h2>Findings by rule</h2>\n<p>")
            .Append(total.ToString("N0", Inv)).Append(total == 1 ? " finding" : " findings").Append(" in all; the whole list: ")
            .Append(Link(url, "GeoJSON")).Append(" · ").Append(Link(url + "?format=csv", "CSV"))
            .Append(total > findings.Count ? $" (this page draws and counts the first {findings.Count.ToString("N0", Inv)})" : "").Append(".</p>\n");
        var lost = score.Layers.SelectMany(l => l.Rules).GroupBy(r => r.Rule).ToDictionary(g => g.Key, g => g.Sum(r => r.Lost));
        var groups = findings.GroupBy(f => f.Rule)
            .OrderByDescending(g => lost.GetValueOrDefault(g.Key))
            .ThenBy(g => g.Min(f => (int)f.Severity))
            .ThenByDescending(g => g.Count())
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        var frame = SvgFindingsMap.Frame(boundary, findings.Select(f => f.Location));
        foreach (var group in groups)
        {
            var rows = group.ToList();
            var severity = rows.Min(f => f.Severity).ToName();
            html.Append("<article class=\"rule\">\n<h3 id=\"rule-").Append(H(group.Key)).Append("\"><code>").Append(H(group.Key)).Append("</code> ")
                .Append(H(RuleSet.TitleOf(group.Key))).Append(" <span class=\"sev-").Append(severity).Append("\">").Append(severity).Append("</span></h3>\n<p>")
                .Append(rows.Count.ToString("N0", Inv)).Append(rows.Count == 1 ? " finding" : " findings")
                .Append(lost.GetValueOrDefault(group.Key) is > 0 and var points ? $", {points.ToString("0.##", Inv)} points of layer quality lost" : "")
                .Append(" · all of them: ").Append(Link($"{url}?rule={group.Key}", "GeoJSON")).Append(" · ")
                .Append(Link($"{url}?rule={group.Key}&format=csv", "CSV")).Append("</p>\n");
            if (frame is not null)
                SvgFindingsMap.Write(html, $"{group.Key}: {rows.Count.ToString("N0", Inv)} findings on the city", frame, boundary, rows.Select(f => f.Location),
                    severity switch { "gate" or "error" => "#c62828", "warning" => "#b26a00", _ => "#4a78a8" });
            Table(html, rows.Take(RowsPerRule).ToList());
            if (rows.Count > RowsPerRule)
                html.Append("<p class=\"muted\">").Append((rows.Count - RowsPerRule).ToString("N0", Inv)).Append(" more in the lists linked above.</p>\n");
            html.Append("</article>\n");
        }
        html.Append("</section>\n");
    }

    private static void Table(StringBuilder html, IReadOnlyList<Finding> rows)
    {
        html.Append("<div class=\"scroll\"><table class=\"findings\">\n<thead><tr><th>Layer</th><th class=\"num\">Feature</th>")
            .Append("<th>Detail</th><th>Location</th></tr></thead>\n<tbody>\n");
        foreach (var f in rows)
            html.Append("<tr><td>").Append(H(f.Layer)).Append("</td><td class=\"num\">")
                .Append(f.FeatureId is { } id ? H(f.FeatureLabel ?? id.ToString(Inv)) : "—")
                .Append("</td><td>").Append(H(f.Detail)).Append("</td><td class=\"loc\">").Append(ReadinessReport.Where(f.Location)).Append("</td></tr>\n");
        html.Append("</tbody>\n</table></div>\n");
    }

    private static string Link(string url, string text) => ReadinessReport.Link(url, text);

    private static string H(string? text) => WebUtility.HtmlEncode(text ?? "");
}
