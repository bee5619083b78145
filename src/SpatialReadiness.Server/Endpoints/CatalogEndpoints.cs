using System.Text;
using Microsoft.Net.Http.Headers;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Server.Publishing;
using SpatialReadiness.Server.Publishing.Rdf;

namespace SpatialReadiness.Server.Endpoints;

/// <summary>
/// The DCAT-AP 3 catalogue that open-data portals harvest: /catalog (the server) and /catalog/{city}, as JSON-LD,
/// Turtle or RDF/XML by Accept header or by extension (.jsonld, .ttl, .rdf). Public and cacheable.
/// </summary>
public static class CatalogEndpoints
{
    private static readonly Dictionary<string, (string MediaType, Func<RdfGraph, string> Write)> ByExtension = new()
    {
        ["jsonld"] = (JsonLdWriter.MediaType, JsonLdWriter.Write),
        ["ttl"] = (TurtleWriter.MediaType, TurtleWriter.Write),
        ["rdf"] = (RdfXmlWriter.MediaType, RdfXmlWriter.Write),
    };

    public static void MapCatalogEndpoints(this IEndpointRouteBuilder app)
    {
        var catalog = app.MapGroup("").WithTags("Publishing");
        catalog.MapMethods("/catalog", ["GET", "HEAD"], (HttpContext http, CatalogSource source) => Serve(http, source, null, null))
            .WithSummary("The DCAT-AP 3 catalogue of every city's public layers (JSON-LD, Turtle or RDF/XML by Accept)");
        catalog.MapMethods("/catalog.{format}", ["GET", "HEAD"], (string format, HttpContext http, CatalogSource source) => Serve(http, source, null, format))
            .WithSummary("The catalogue in one syntax: .jsonld, .ttl or .rdf");
        catalog.MapMethods("/catalog/{city}", ["GET", "HEAD"], (string city, HttpContext http, CatalogSource source) => Serve(http, source, city, null))
            .WithSummary("One city's DCAT-AP 3 catalogue");
        catalog.MapMethods("/catalog/{city}.{format}", ["GET", "HEAD"], (string city, string format, HttpContext http, CatalogSource source) => Serve(http, source, city, format))
            .WithSummary("One city's catalogue in one syntax: .jsonld, .ttl or .rdf");
    }

    private static async Task<IResult> Serve(HttpContext http, CatalogSource source, string? city, string? extension)
    {
        var chosen = extension is null ? Negotiate(http.Request) : ByExtension.TryGetValue(extension, out var byExtension) ? byExtension : ((string MediaType, Func<RdfGraph, string> Write)?)null;
        if (chosen is not { } syntax)
            return extension is null
                ? Results.Problem(statusCode: StatusCodes.Status406NotAcceptable, title: "Not acceptable",
                    detail: $"the catalogue is served as {string.Join(", ", ByExtension.Values.Select(v => v.MediaType))}; none of them is in Accept.")
                : Problems.Of(InputError.NotFound, $"'.{extension}' is not a catalogue syntax: use .jsonld, .ttl or .rdf.");
        var input = await source.ReadAsync(city, http.RequestAborted);
        if (city is not null && input.Cities.Count == 0) return Problems.Of(InputError.NotFound, $"city '{city}' does not exist; GET /api/cities lists the cities.");
        var graph = DcatCatalog.Build(input, CatalogSource.Urls(http.Request), city);
        CatalogSource.MarkPublic(http.Response);
        return Results.Text(syntax.Write(graph), syntax.MediaType + "; charset=utf-8", Encoding.UTF8);
    }

    /// <summary>The syntax the Accept header prefers (by q, then order); JSON-LD for none, */* or application/json.</summary>
    private static (string MediaType, Func<RdfGraph, string> Write)? Negotiate(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        if (accept.Count == 0) return ByExtension["jsonld"];
        foreach (var range in accept.OrderByDescending(a => a.Quality ?? 1))
        {
            if (range.Quality == 0) continue;
            var type = range.MediaType.Value ?? "";
            if (type is "*/*" or "application/*" or "application/json") return ByExtension["jsonld"];
            if (type == "text/*") return ByExtension["ttl"];
            if (type == "application/xml" || type == "text/xml") return ByExtension["rdf"];
            if (ByExtension.Values.FirstOrDefault(v => v.MediaType == type) is { MediaType: not null } found) return found;
        }
        return null;
    }
}
