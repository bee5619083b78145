using Microsoft.AspNetCore.Http.Features;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Server.Endpoints;

namespace SpatialReadiness.Server.Uploads;

/// <summary>
/// How large a request body each endpoint takes. Every endpoint gets <see cref="Json"/> (64 KiB: a city, an access
/// change, a review note, a key label) unless it says otherwise: sign-in <see cref="SignIn"/>, and only the endpoints
/// that receive layers, features or proposals the upload limit (SR_MAX_UPLOAD_MB). So a new endpoint is small by
/// default, and a megabyte thrown at sign-in is refused (413) before it is read, not parsed and hashed.
/// </summary>
public static class BodyLimits
{
    public const long SignIn = 4 * 1024, Json = 64 * 1024;

    /// <summary>Endpoint metadata: the body limit in bytes, or null for the upload limit.</summary>
    public sealed record Limit(long? Bytes);

    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, long bytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new Limit(bytes));

    public static TBuilder WithUploadLimit<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new Limit(null));

    /// <summary>The limit of the request's endpoint (after routing): its own, else <see cref="Json"/>.</summary>
    public static long Of(HttpContext http, ServerOptions options) =>
        http.GetEndpoint()?.Metadata.GetMetadata<Limit>() is { } limit ? limit.Bytes ?? options.MaxUploadBytes + (1 << 20) : Json;

    /// <summary>Sets each request's limit on the server (which then refuses a longer body as it arrives) and answers 413 problem+json.</summary>
    public static void UseBodyLimits(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<ServerOptions>();
        app.Use(async (http, next) =>
        {
            var max = Of(http, options);
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature) feature.MaxRequestBodySize = max;
            if (http.Request.ContentLength > max)
            {
                await TooLarge(max).ExecuteAsync(http);
                return;
            }
            try
            {
                await next(http);
                // Model binding stops reading at the limit and answers a bare 413: give it the problem's words.
                if (http.Response.StatusCode == StatusCodes.Status413PayloadTooLarge && !http.Response.HasStarted)
                    await TooLarge(max).ExecuteAsync(http);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge && !http.Response.HasStarted)
            {
                http.Response.Clear();
                await TooLarge(max).ExecuteAsync(http);
            }
        });
    }

    public static IResult TooLarge(long max) =>
        Problems.Of(InputError.TooLarge, max >= 1 << 20
            ? $"the body is larger than this endpoint takes ({max >> 20} MiB, SR_MAX_UPLOAD_MB)."
            : $"the body is larger than this endpoint takes ({max / 1024} KiB).");
}
