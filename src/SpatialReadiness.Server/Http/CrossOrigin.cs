using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace SpatialReadiness.Server.Http;

/// <summary>
/// CORS, so maps on other sites (MapLibre, OpenLayers, Leaflet, a dashboard) can show the published layers.
/// <list type="bullet">
/// <item>Public reads (GET and HEAD of tiles, TileJSON, styles, glyphs (/fonts), /ogc, /odata, the catalogue under /api/cities and
/// /api/layers, the OpenAPI document) answer any origin with <c>Access-Control-Allow-Origin: *</c>: a browser then sends
/// no cookie, and the reader is anonymous, so what another site reads is what the public sees. The preflight allows
/// no Authorization or anti-forgery header to such origins, and a request that carries a key or the session cookie
/// anyway gets no CORS headers from them.</item>
/// <item>Origins named in SR_CORS_ORIGINS (comma-separated, e.g. https://dashboard.city.gov.in) get their own origin back
/// with credentials, on every endpoint: a signed-in reader's session or key works from there, writes included.</item>
/// <item>Everything else (sign-in, contributions, writes) answers other origins without CORS headers, so the browser
/// keeps the answer from the page. Preflights are answered here, before routing (204), whatever the path.</item>
/// </list>
/// Every answer on a CORS path (every path once SR_CORS_ORIGINS names a site) says Vary: Origin, since it depends on the
/// origin asking, also to a request that sent none (a same-site reader), whose answer a shared cache would otherwise
/// hand to other sites.
/// </summary>
public sealed class CrossOrigin(IReadOnlySet<string> trusted)
{
    private static readonly string[] PublicPrefixes = ["/tiles", "/styles", "/fonts", "/ogc", "/odata", "/openapi", "/api/cities", "/api/layers", "/health"];
    private static readonly string[] PrivateSegments = ["/access", "/history", "/contributions"];

    /// <summary>Headers a page on any site may send to a public read (no Authorization, no X-CSRF-TOKEN).</summary>
    private const string PublicRequestHeaders = "Accept, Accept-Language, Content-Language, Content-Type, If-None-Match, If-Modified-Since, Range, Prefer, OData-Version, OData-MaxVersion";

    /// <summary>Response headers clients read: paging links and counts (OGC, OData), the CRS, ETags for revalidation.</summary>
    private const string Exposed = "ETag, Link, Location, Content-Crs, Content-Disposition, OData-Version, Preference-Applied, Retry-After";

    private const string SessionCookie = "sr.session";

    /// <summary>The other header a key is sent in (Auth/ApiKeyHandler), besides Authorization.</summary>
    private const string ApiKeyHeader = "X-Api-Key";

    private const string AllMethods = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

    public static CrossOrigin FromSetting(string? origins) =>
        new((origins ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(o => o.TrimEnd('/')).ToHashSet(StringComparer.OrdinalIgnoreCase));

    public static bool IsPublicRead(string method, PathString path) =>
        (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
        && PublicPrefixes.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase))
        && !PrivateSegments.Any(s => path.Value!.Contains(s, StringComparison.OrdinalIgnoreCase));

    public Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        var request = http.Request;
        var headers = http.Response.Headers;
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            // Same-site readers send no Origin, yet a shared cache may hand their answer to another site's page.
            if (trusted.Count > 0 || IsPublicRead(request.Method, request.Path)) AppendVaryOrigin(http);
            return next(http);
        }
        var isTrusted = trusted.Contains(origin.TrimEnd('/'));
        var preflight = HttpMethods.IsOptions(request.Method) && request.Headers.ContainsKey(HeaderNames.AccessControlRequestMethod);
        var method = preflight ? request.Headers.AccessControlRequestMethod.ToString() : request.Method;
        // A request carrying credentials (a key, the session cookie) may get what only its reader sees: from an origin
        // not configured it gets no CORS headers at all, so no page there can read it.
        var credentialed = !preflight && (request.Headers.ContainsKey(HeaderNames.Authorization) || request.Headers.ContainsKey(ApiKeyHeader)
            || request.Cookies.ContainsKey(SessionCookie));
        var publicPath = IsPublicRead(method, request.Path);
        var isPublic = publicPath && !credentialed;
        if (trusted.Count > 0 || publicPath) AppendVaryOrigin(http);

        if (isTrusted)
        {
            headers.AccessControlAllowOrigin = origin;
            headers.AccessControlAllowCredentials = "true";
        }
        else if (isPublic) headers.AccessControlAllowOrigin = "*";

        if (!preflight)
        {
            if (isTrusted || isPublic) headers.AccessControlExposeHeaders = Exposed;
            return next(http);
        }

        // A preflight: answered here, so every path has one (the routes know only GET, HEAD and their own OPTIONS).
        if (isTrusted)
        {
            headers.AccessControlAllowMethods = AllMethods;
            var asked = request.Headers.AccessControlRequestHeaders;
            if (!StringValues.IsNullOrEmpty(asked)) headers.AccessControlAllowHeaders = asked;
        }
        else if (isPublic)
        {
            headers.AccessControlAllowMethods = "GET, HEAD";
            headers.AccessControlAllowHeaders = PublicRequestHeaders;
        }
        headers.AccessControlMaxAge = "600";
        http.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    /// <summary>Adds Origin to Vary when the answer starts, after the endpoint set its own Vary (tiles: Accept-Encoding).</summary>
    private static void AppendVaryOrigin(HttpContext http) => http.Response.OnStarting(() =>
    {
        var vary = http.Response.Headers.Vary;
        if (!vary.Any(v => v is not null && v.Contains(HeaderNames.Origin, StringComparison.OrdinalIgnoreCase)))
            http.Response.Headers.Vary = StringValues.Concat(vary, HeaderNames.Origin);
        return Task.CompletedTask;
    });
}

public static class CrossOriginSetup
{
    /// <summary>CORS before everything else, so preflights and error answers carry it too.</summary>
    public static IApplicationBuilder UseCrossOrigin(this IApplicationBuilder app, string? trustedOrigins)
    {
        var cors = CrossOrigin.FromSetting(trustedOrigins);
        return app.Use((http, next) => cors.InvokeAsync(http, next));
    }
}
