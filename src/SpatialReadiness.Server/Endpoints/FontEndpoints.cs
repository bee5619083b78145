using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Server.Fonts;

namespace SpatialReadiness.Server.Endpoints;

/// <summary>
/// The label glyphs of the MapLibre styles ("glyphs": "{server}/fonts/{fontstack}/{range}.pbf"): signed distance
/// field PBFs, 256 code points a file, drawn from the server's fonts (Fonts/Glyphs.cs). Public, cached for a day.
/// </summary>
public static class FontEndpoints
{
    public sealed record FontList(IReadOnlyList<string> Fonts, string Glyphs);

    public static void MapFontEndpoints(this IEndpointRouteBuilder app)
    {
        var fonts = app.MapGroup("/fonts").WithTags("Viewer");
        fonts.MapGet("", (Glyphs glyphs, HttpRequest request) => new FontList(glyphs.FontNames, GlyphsUrl(request)))
            .WithSummary("The fonts a style's text-font may name, and the glyphs URL template to put in a style");
        fonts.MapMethods("/files/{file}", ["GET", "HEAD"], File)
            .WithSummary("A font file (TrueType or OpenType) of those /fonts lists, for drawing labels with the same fonts in a browser's canvas (@font-face)")
            .ProducesProblem(404);
        fonts.MapMethods("/{fontstack}/{range}", ["GET", "HEAD"], Range)
            .WithSummary("One range of glyphs (e.g. 0-255.pbf) of a font stack (comma-separated font names), as MapLibre GL asks for them")
            .Produces(200, contentType: Glyphs.MediaType).ProducesProblem(404);
    }

    /// <summary>The template a style's "glyphs" holds, for this server.</summary>
    public static string GlyphsUrl(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}/fonts/{{fontstack}}/{{range}}.pbf";

    private static IResult File(string file, Glyphs glyphs, HttpResponse response)
    {
        if (glyphs.File(file) is not { } path)
            return Problems.Of(InputError.NotFound, $"'{file}' is no font file here; GET /fonts lists the fonts.");
        response.Headers.CacheControl = "public, max-age=86400";
        var info = new FileInfo(path);
        return Results.File(path, path.EndsWith(".otf", StringComparison.OrdinalIgnoreCase) ? "font/otf" : "font/ttf", lastModified: info.LastWriteTimeUtc,
            entityTag: new EntityTagHeaderValue($"\"{info.LastWriteTimeUtc.Ticks:x}-{info.Length:x}\""));
    }

    private static async Task<IResult> Range(string fontstack, string range, Glyphs glyphs, HttpResponse response, CancellationToken cancellationToken)
    {
        if (!range.EndsWith(".pbf", StringComparison.Ordinal) || Glyphs.RangeStart(range[..^".pbf".Length]) is not { } start)
            return Problems.Of(InputError.NotFound, $"'{range}' is no glyph range: ranges are 256 code points from a multiple of 256, below 65536, e.g. 0-255.pbf or 2304-2559.pbf.");
        var (stack, unknown) = glyphs.Stack(fontstack);
        if (stack is null)
            return Problems.Of(InputError.NotFound, $"'{unknown}' is no font here (a stack names up to {Glyphs.MaxStack} of them, comma-separated); GET /fonts lists the fonts.");
        var content = await glyphs.RangeAsync(stack, start, cancellationToken);
        response.Headers.CacheControl = "public, max-age=86400";
        var tag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 12))}\"");
        return Results.Bytes(content, Glyphs.MediaType, entityTag: tag);
    }
}
