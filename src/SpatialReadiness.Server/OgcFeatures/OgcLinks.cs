using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SpatialReadiness.Server.OgcFeatures;

/// <summary>Media types and link objects ({href, rel, type, title}) of the OGC API, with absolute hrefs under /ogc.</summary>
public sealed class OgcLinks(string root)
{
    public const string Json = "application/json";
    public const string GeoJson = "application/geo+json";
    public const string Html = "text/html";
    public const string OpenApi = "application/vnd.oai.openapi+json;version=3.0";
    public const string JsonSchema = "application/schema+json";

    /// <summary>The absolute URL of /ogc for this request, e.g. http://127.0.0.1:5080/ogc.</summary>
    public string Root { get; } = root;

    public static OgcLinks For(HttpRequest request) => new($"{request.Scheme}://{request.Host}{request.PathBase}/ogc");

    public string Url(string path) => Root + path;

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>JSON text with '+' and non-ASCII names as they are (the HTML form escapes for itself).</summary>
    public static string Text(JsonNode document) => document.ToJsonString(Relaxed);

    public JsonObject Link(string path, string rel, string type, string? title = null)
    {
        var link = new JsonObject { ["href"] = Url(path), ["rel"] = rel, ["type"] = type };
        if (title is not null) link["title"] = title;
        return link;
    }

    /// <summary>self in JSON (or GeoJSON) and its HTML alternate, for a resource at <paramref name="path"/> (no query).</summary>
    public JsonArray SelfAndAlternate(string path, string jsonType, bool html) =>
    [
        Link(path + (html ? "?f=html" : ""), "self", html ? Html : jsonType, "this document"),
        Link(path + (html ? "" : "?f=html"), "alternate", html ? jsonType : Html, html ? "this document as JSON" : "this document as HTML"),
    ];
}
