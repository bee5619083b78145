using Microsoft.Net.Http.Headers;
using SpatialReadiness.Core.Tiles;
using SpatialReadiness.PostGis.Tiles;
using SpatialReadiness.Server.Auth;
using SpatialReadiness.Server.Tiles;

namespace SpatialReadiness.Server.Endpoints;

/// <summary>
/// Mapbox Vector Tiles (2.1) per layer and per city, and their TileJSON 3.0. Empty tiles are 204, ETags follow the
/// layer versions (so a changed layer gets new ETags at once), gzip when the client accepts it. A reader allowed a
/// layer's sensitive data gets its own tiles (cache key and ETag marked "r", Cache-Control private); everyone else gets
/// the public ones, where sensitive layers are absent and sensitive fields removed.
/// </summary>
public static class TileEndpoints
{
    public const string MediaType = "application/vnd.mapbox-vector-tile";
    public const int MinZoom = 0, MaxZoom = 22;

    /// <summary>
    /// The zoom tiles stop adding detail, TileJSON's maxzoom: one tile unit (1/4096) at z16 is 15 cm at the equator,
    /// finer than any survey the layers come from, and nothing is generalised from z12. Clients over-zoom beyond it;
    /// tiles are still served up to <see cref="MaxZoom"/> for clients that ask anyway.
    /// </summary>
    public const int DetailZoom = 16;

    public static void MapTileEndpoints(this IEndpointRouteBuilder app)
    {
        var tiles = app.MapGroup("/tiles");
        tiles.MapMethods("/{layer}/{z}/{x}/{y}", ["GET", "HEAD"], LayerTile);
        tiles.MapMethods("/city/{city}/{z}/{x}/{y}", ["GET", "HEAD"], CityTile);
        tiles.MapMethods("/{layer}.json", ["GET", "HEAD"], LayerTileJson);
        tiles.MapMethods("/city/{city}.json", ["GET", "HEAD"], CityTileJson);
    }

    private static Task<IResult> LayerTile(string layer, string z, string x, string y, HttpContext http, TileCatalog catalog, TileCache cache, TileStore store) => Afresh(async () =>
    {
        if (await FindLayer(layer, catalog, http) is not { Info.Withheld: false } found) return NoSuchLayer(layer);
        if (Parse(z, x, y) is not { } tile) return BadAddress(z, x, y);
        if (tile.Z > MaxZoom) return OutOfRange(tile);
        return await Respond(http, cache, catalog, store, "l" + Tag(found), [found], tile);
    });

    private static Task<IResult> CityTile(string city, string z, string x, string y, HttpContext http, TileCatalog catalog, TileCache cache, TileStore store) => Afresh(async () =>
    {
        var layers = await catalog.CityAsync(city, http.Caller());
        if (layers.Count == 0) return Problems.Of(InputError.NotFound, $"city '{city}' has no public layers to tile (GET /api/cities lists the cities).");
        if (Parse(z, x, y) is not { } tile) return BadAddress(z, x, y);
        if (tile.Z > MaxZoom) return OutOfRange(tile);
        return await Respond(http, cache, catalog, store, "c" + string.Join('.', layers.Select(Tag)), layers, tile);
    });

    /// <summary>
    /// Answers again from a fresh look-up in the catalog while <paramref name="answer"/> finds it behind a change to a
    /// layer (null: the catalog has dropped the layers), a few times; a layer changing faster than that is 503.
    /// </summary>
    private static async Task<IResult> Afresh(Func<Task<IResult?>> answer)
    {
        for (var attempt = 0; attempt < 3; attempt++)
            if (await answer() is { } result) return result;
        throw new LayersChangingException();
    }

    /// <summary>Layer id and version, and "r" for the revealed view: part of the cache key and ETag.</summary>
    private static string Tag(TileLayer layer) => $"{layer.Info.Id}v{layer.Info.Version}{(layer.Info.Revealed ? "r" : "")}";

    /// <summary>The tile's answer, or null when a layer is past the version the catalog gave (TileStore made nothing): the layers are dropped from the catalog.</summary>
    private static async Task<IResult?> Respond(HttpContext http, TileCache cache, TileCatalog catalog, TileStore store, string versionTag, IReadOnlyList<TileLayer> layers, TileAddress tile)
    {
        var revealed = layers.Any(l => l.Info.Revealed);
        var gzip = http.Request.Headers.AcceptEncoding.Any(e => e is not null && e.Contains("gzip", StringComparison.OrdinalIgnoreCase));
        var etag = $"\"{versionTag}-{tile.Z}-{tile.X}-{tile.Y}{(gzip ? "-gz" : "")}\"";
        var headers = http.Response.Headers;
        headers.ETag = etag;
        // Revalidate every time: the ETag answers with 304 at almost no cost. Revealed tiles are for their reader only.
        headers.CacheControl = revealed ? "private, no-cache" : "public, no-cache";
        headers.Vary = HeaderNames.AcceptEncoding;
        if (http.Request.Headers.IfNoneMatch.Any(v => v is not null && (v == etag || v.Split(',').Any(t => t.Trim() == etag))))
            return Results.StatusCode(StatusCodes.Status304NotModified);

        if (await cache.GetOrMakeAsync(etag.Trim('"').Replace("-gz", ""), () => store.GetTileAsync(layers, tile, http.RequestAborted)) is not { } made)
        {
            // A layer changed and its layer_changed has not reached this process yet: look it up afresh. The next answer
            // may be a 404 (the layer is withheld now), which must not carry this tile's tag.
            foreach (var layer in layers) catalog.Evict(layer.Info.Id, layer.Info.City);
            headers.Remove(HeaderNames.ETag);
            headers.Remove(HeaderNames.CacheControl);
            headers.Remove(HeaderNames.Vary);
            return null;
        }
        if (made.Plain.Length == 0) return Results.NoContent();
        var body = gzip ? made.Gzip : made.Plain;
        if (gzip) headers.ContentEncoding = "gzip";
        if (HttpMethods.IsHead(http.Request.Method))
        {
            http.Response.ContentType = MediaType;
            http.Response.ContentLength = body.Length;
            return Results.Empty;
        }
        return Results.Bytes(body, MediaType);
    }

    private static async Task<IResult> LayerTileJson(string layer, HttpContext http, TileCatalog catalog)
    {
        if (await FindLayer(layer, catalog, http) is not { Info.Withheld: false } found) return NoSuchLayer(layer);
        return Results.Json(TileJson.Of(found.Info.Title, Url(http, $"/tiles/{found.Info.Id}/{{z}}/{{x}}/{{y}}.mvt"), [found], MinZoom, DetailZoom));
    }

    private static async Task<IResult> CityTileJson(string city, HttpContext http, TileCatalog catalog)
    {
        var layers = await catalog.CityAsync(city, http.Caller());
        if (layers.Count == 0) return Problems.Of(InputError.NotFound, $"city '{city}' has no public layers to tile (GET /api/cities lists the cities).");
        return Results.Json(TileJson.Of(city, Url(http, $"/tiles/city/{city}/{{z}}/{{x}}/{{y}}.mvt"), layers, MinZoom, DetailZoom));
    }

    private static async Task<TileLayer?> FindLayer(string layer, TileCatalog catalog, HttpContext http) =>
        TileAddress.TryNumber(layer, out long id) ? await catalog.LayerAsync(id, http.Caller()) : null;

    private static TileAddress? Parse(string z, string x, string y) => TileAddress.TryParse(z, x, y, out _);

    private static IResult BadAddress(string z, string x, string y)
    {
        TileAddress.TryParse(z, x, y, out var problem);
        return Problems.Of(InputError.Malformed, problem!);
    }

    private static IResult OutOfRange(TileAddress tile) =>
        Problems.Of(InputError.NotFound, $"zoom {tile.Z} is outside this layer's range: tiles are served for zooms {MinZoom}-{MaxZoom}.");

    // A sensitive layer withheld from the reader answers exactly like a layer that does not exist.
    private static IResult NoSuchLayer(string layer) =>
        Problems.Of(InputError.NotFound, $"layer '{layer}' does not exist; GET /api/cities/{{city}}/layers lists layer ids.");

    private static string Url(HttpContext http, string path) => $"{http.Request.Scheme}://{http.Request.Host}{path}";
}
