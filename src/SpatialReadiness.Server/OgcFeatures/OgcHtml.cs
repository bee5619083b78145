using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SpatialReadiness.Server.OgcFeatures;

/// <summary>
/// The HTML form of every OGC API document, rendered from the same JSON a client gets: links as anchors, features as
/// a small map (<see cref="SvgMap"/>) and a table of their properties, everything else as nested lists whose "$ref"s
/// link to what they name. Every value is HTML-escaped. Phones get a viewport and tables that scroll.
/// </summary>
public static class OgcHtml
{
    /// <param name="mapFeatures">Features to map when the document holds none itself (a collection: some of its items).</param>
    /// <param name="linkedData">JSON-LD for search engines (a schema.org Dataset), embedded in the head when given.</param>
    public static string Page(string title, JsonNode document, IEnumerable<JsonNode?>? mapFeatures = null, JsonObject? linkedData = null)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>").Append(E(title)).Append("</title>")
            .Append("<style>body{font-family:sans-serif;margin:1em;max-width:80em}table{border-collapse:collapse;display:block;overflow-x:auto}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}dt{font-weight:bold}dd{margin-left:1em}svg.map{max-width:100%;height:auto;border:1px solid #ccc}</style>")
            // The default encoder writes '<' as \u003C, so the JSON cannot close the script element.
            .Append(linkedData is null ? "" : $"<script type=\"application/ld+json\">{linkedData.ToJsonString()}</script>")
            .Append("</head><body><h1>").Append(E(title)).Append("</h1>");
        IEnumerable<JsonNode?>? mapped = document switch
        {
            JsonObject { } c when c["features"] is JsonArray list => list,
            JsonObject f when Text(f["type"]) == "Feature" => [f],
            _ => mapFeatures,
        };
        if (mapped is not null) html.Append(SvgMap.Of(mapped, title));
        if (document is JsonObject o && o["links"] is JsonArray links)
        {
            html.Append("<ul>");
            foreach (var link in links.OfType<JsonObject>())
                html.Append("<li><a href=\"").Append(E(Text(link["href"]))).Append("\">").Append(E(Text(link["title"]) is { Length: > 0 } t ? t : Text(link["rel"])))
                    .Append("</a> <small>(").Append(E(Text(link["rel"]))).Append(", ").Append(E(Text(link["type"]))).Append(")</small></li>");
            html.Append("</ul>");
        }
        if (document is JsonObject { } collection && collection["features"] is JsonArray features) Features(html, features);
        else if (document is JsonObject feature && Text(feature["type"]) == "Feature") Features(html, [feature.DeepClone()]);
        else Node(html, document, "", skipLinks: true);
        return html.Append("</body></html>").ToString();
    }

    private static void Features(StringBuilder html, JsonArray features)
    {
        var columns = features.OfType<JsonObject>().SelectMany(f => (f["properties"] as JsonObject)?.Select(p => p.Key) ?? []).Distinct().ToList();
        html.Append("<table><tr><th>id</th><th>geometry</th>");
        foreach (var c in columns) html.Append("<th>").Append(E(c)).Append("</th>");
        html.Append("</tr>");
        foreach (var feature in features.OfType<JsonObject>())
        {
            html.Append("<tr><td>").Append(E(Text(feature["id"]))).Append("</td><td>").Append(E(Text(feature["geometry"]?["type"]))).Append("</td>");
            foreach (var c in columns) html.Append("<td>").Append(E(Text((feature["properties"] as JsonObject)?[c]))).Append("</td>");
            html.Append("</tr>");
        }
        html.Append("</table>");
    }

    /// <summary>
    /// A JSON value as nested lists. Each member's term has its JSON Pointer as id ("/components/parameters/limit"), so a
    /// local "$ref" ("#/components/parameters/limit") is a link to it.
    /// </summary>
    private static void Node(StringBuilder html, JsonNode? node, string pointer, bool skipLinks = false)
    {
        switch (node)
        {
            case JsonObject o:
                html.Append("<dl>");
                foreach (var (key, value) in o)
                {
                    if (skipLinks && key == "links") continue;
                    var path = pointer + "/" + key.Replace("~", "~0").Replace("/", "~1");
                    html.Append("<dt id=\"").Append(E(path)).Append("\">").Append(E(key)).Append("</dt><dd>");
                    if (key == "$ref" && Text(value) is var target && target.StartsWith('#'))
                        html.Append("<a href=\"").Append(E(target)).Append("\">").Append(E(target)).Append("</a>");
                    else Node(html, value, path);
                    html.Append("</dd>");
                }
                html.Append("</dl>");
                break;
            case JsonArray a:
                html.Append("<ul>");
                for (var i = 0; i < a.Count; i++) { html.Append("<li>"); Node(html, a[i], pointer + "/" + i); html.Append("</li>"); }
                html.Append("</ul>");
                break;
            default:
                var text = Text(node);
                if (text.StartsWith("http://", StringComparison.Ordinal) || text.StartsWith("https://", StringComparison.Ordinal))
                    html.Append("<a href=\"").Append(E(text)).Append("\">").Append(E(text)).Append("</a>");
                else html.Append(E(text));
                break;
        }
    }

    private static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
