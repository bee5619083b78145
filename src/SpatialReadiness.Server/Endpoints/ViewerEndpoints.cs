using Microsoft.Net.Http.Headers;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.PostGis.Layers;
using SpatialReadiness.Server.Auth;
using SpatialReadiness.Server.Viewer;

namespace SpatialReadiness.Server.Endpoints;

/// <summary>
/// The web map viewer: its page at / (built by viewer/ into wwwroot/app), its hashed assets cached for good, its
/// settings (basemap) at /api/viewer/config, and the MapLibre styles it draws layers with at /styles.
/// </summary>
public static class ViewerEndpoints
{
    private const string Page = "app/index.html";

    public sealed record BasemapConfig(string Url, string? Attribution);

    public sealed record ViewerConfig(BasemapConfig? Basemap, long MaxUploadMb);

    public sealed record StyleLink(string Id, string Name, string Url);

    /// <summary>Static files; Vite names assets by content hash, so /app/assets/* never change and are cached for a year.</summary>
    public static void UseViewerFiles(this IApplicationBuilder app) => app.UseStaticFiles(new StaticFileOptions
    {
        OnPrepareResponse = context => context.Context.Response.Headers.CacheControl =
            context.Context.Request.Path.StartsWithSegments("/app/assets") ? "public, max-age=31536000, immutable" : "no-cache",
    });

    public static void MapViewerEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/", ["GET", "HEAD"], ViewerPage).ExcludeFromDescription();
        app.MapGet("/api/viewer/config", (ViewerOptions viewer, ServerOptions server) =>
                new ViewerConfig(viewer.BasemapUrl is { } url ? new BasemapConfig(url, viewer.BasemapAttribution) : null, server.MaxUploadBytes >> 20))
            .WithTags("Viewer").WithSummary("The web map's settings: the basemap (null: the offline basemap) and the upload limit");
        var styles = app.MapGroup("/styles").WithTags("Viewer");
        styles.MapGet("", (HttpRequest request) => StyleCatalog.Ids.Select(id =>
                new StyleLink(id, StyleCatalog.Template(id)!["name"]!.GetValue<string>(), $"{Origin(request)}/styles/{id}")))
            .WithSummary("The MapLibre styles: one per layer kind, and findings");
        styles.MapGet("/{id}", Style)
            .WithSummary("A MapLibre style (v8): as stored, or bound to one layer (?layer={id}: its tiles and field names) or, for findings, to a city (?city=)")
            .ProducesProblem(400).ProducesProblem(404);
    }

    private static IResult ViewerPage(HttpContext http, IWebHostEnvironment environment)
    {
        var page = environment.WebRootFileProvider.GetFileInfo(Page);
        http.Response.Headers.CacheControl = "no-cache";
        if (!page.Exists || page.PhysicalPath is null)
            return Results.Content("<!doctype html><title>SpatialReadiness</title><h1>SpatialReadiness</h1><p>The server runs, but the web map viewer " +
                                   "is not built: run <code>tools/setup</code> (or <code>npm ci &amp;&amp; npm run build</code> in <code>viewer/</code>). " +
                                   "The API: <a href=\"/api/cities\">/api/cities</a>, <a href=\"/openapi/v1.json\">/openapi/v1.json</a>.</p>",
                "text/html; charset=utf-8", statusCode: StatusCodes.Status503ServiceUnavailable);
        return Results.File(page.PhysicalPath, "text/html; charset=utf-8", lastModified: page.LastModified,
            entityTag: new EntityTagHeaderValue($"\"{page.LastModified.ToUnixTimeMilliseconds()}-{page.Length}\""));
    }

    private static async Task<IResult> Style(string id, long? layer, string? city, HttpRequest request, LayerStore store, CancellationToken ct)
    {
        if (id.EndsWith(".json", StringComparison.Ordinal)) id = id[..^".json".Length];
        if (StyleCatalog.Template(id) is not { } style)
            return Problems.Of(InputError.NotFound, $"style '{id}' does not exist; the styles are {string.Join(", ", StyleCatalog.Ids)} (GET /styles).");
        if (id == StyleCatalog.Findings)
        {
            if (layer is not null) return Problems.Of(InputError.Malformed, "the findings style is bound to a city (?city=), not to a layer.");
            if (city is null) return Results.Json(style);
            return await store.GetCityAsync(city, ct) is null
                ? Problems.Of(InputError.NotFound, $"city '{city}' does not exist; GET /api/cities lists the cities.")
                : Results.Json(StyleCatalog.BindToCity(style, city, Origin(request)));
        }
        if (city is not null) return Problems.Of(InputError.Malformed, $"style '{id}' is bound to a layer (?layer={{id}}), not to a city.");
        if (layer is null) return Results.Json(style);
        // The fields this caller's tiles carry; a layer withheld from them answers as one that does not exist.
        if (await store.ReadableLayerAsync(layer.Value, request.HttpContext.Caller(), ct) is not { } found)
            return Problems.Of(InputError.NotFound, $"layer {layer} does not exist; GET /api/cities/{{city}}/layers lists layer ids.");
        return Results.Json(StyleCatalog.BindToLayer(style, found, Origin(request)));
    }

    private static string Origin(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";
}
