using System.Globalization;
using System.Net;
using System.Text;
using SpatialReadiness.Core.Publishing;

namespace SpatialReadiness.Checks.Report;

/// <summary>
/// The report's DMAF 4.b-4.d section: datasets published, schedules kept, APIs offered, and each public layer's
/// schedule with the overdue ones flagged. Set apart from the score: these indicators are not part of SRS-20.
/// </summary>
public static class PublishingSection
{
    public static void Append(StringBuilder html, PublishingPicture picture)
    {
        html.Append("<section id=\"publishing\">\n<h2>Open-data publishing (DMAF 4.b–4.d)</h2>\n")
            .Append("<p class=\"muted\">Not part of SRS-20, which scores 4.e: measured on what this server publishes to anyone, as of ")
            .Append(picture.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(". Catalogue for portals: <a href=\"").Append(H(picture.CatalogUrl))
            .Append("\">").Append(H(picture.CatalogUrl)).Append("</a>.</p>\n")
            .Append("<div class=\"scroll\"><table>\n<thead><tr><th>Indicator</th><th>Title</th><th class=\"num\">Value</th><th>Basis</th></tr></thead>\n<tbody>\n");
        foreach (var item in picture.Items)
            html.Append("<tr><td><code>").Append(H(item.Code)).Append("</code></td><td>").Append(H(item.Title)).Append("</td><td class=\"num\">")
                .Append(H(item.Display)).Append("</td><td>").Append(H(item.Basis)).Append("</td></tr>\n");
        html.Append("</tbody>\n</table></div>\n<h3>Update schedule</h3>\n<div class=\"scroll\"><table>\n")
            .Append("<thead><tr><th>Layer</th><th>Frequency</th><th>Last updated</th><th>Next due</th><th>State</th></tr></thead>\n<tbody>\n");
        foreach (var s in picture.Schedule.OrderByDescending(s => s.Overdue).ThenBy(s => s.Layer, StringComparer.Ordinal))
            html.Append(s.Overdue ? "<tr class=\"overdue\" style=\"background:#fde2e1\">" : "<tr>").Append("<td>").Append(H(s.Layer)).Append("</td><td>").Append(H(s.UpdateFrequency ?? "none declared"))
                .Append("</td><td>").Append(s.LastUpdated.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append("</td><td>")
                .Append(s.NextDue?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "—").Append("</td><td>")
                .Append(s.Overdue ? "<strong>OVERDUE</strong>" : s.NextDue is null ? "no due date" : "on schedule").Append("</td></tr>\n");
        html.Append("</tbody>\n</table></div>\n</section>\n");
    }

    private static string H(string? text) => WebUtility.HtmlEncode(text ?? "");
}
