using System.Globalization;
using Npgsql;
using SpatialReadiness.Ingest;
using SpatialReadiness.PostGis;
using SpatialReadiness.Server.Fonts;
using SpatialReadiness.Server.OData;
using SpatialReadiness.Server.OgcFeatures;
using SpatialReadiness.Server.Resilience;
using SpatialReadiness.Server.Tiles;
using SpatialReadiness.Server.Uploads;

namespace SpatialReadiness.Server;

/// <summary>
/// The one place an exception becomes an answer, so endpoints throw instead of catching. Errors that mean "the
/// request is wrong" (<see cref="InputException"/>, an OGC or OData query that cannot run, a body that cannot be
/// read) are their 4xx problem; PostgreSQL's data exceptions (SQLSTATE class 22: a value out of range, a malformed
/// pattern) come only from values a client sent, so they are 400 too, without their text, which may quote a stored
/// value. Faults are never a 500: the database gone (down, restarting, a connection cut) or a query stopped by its
/// statement timeout is 503 with Retry-After, GDAL's slots taken 503 (429 for an anonymous share), upload temp
/// space full 507. A client that went away gets nothing (its query was cancelled by the request's token) and no error
/// is logged for it. When the answer had already started streaming there is no status to change: the connection is
/// cut, so the client sees a broken transfer, not a complete-looking one. A refusal keeps the CORS headers already
/// set, as when endpoints returned it themselves, so a page on another site can read why it was refused.
/// </summary>
public sealed class ErrorAnswers(RequestDelegate next, DatabasePools pools, ILogger<ErrorAnswers> logger)
{
    public const int RetryAfterSeconds = 5;

    public async Task InvokeAsync(HttpContext http)
    {
        try
        {
            await next(http);
        }
        catch (Exception) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client is gone: the cancelled token already stopped the query; there is nobody to answer.
        }
        catch (TempSpaceFull e) when (!http.Response.HasStarted)
        {
            logger.LogError("{Method} {Path}: upload temp space is full: {Message}", http.Request.Method, http.Request.Path, e.InnerException?.Message);
            await WriteLaterAsync(http, ("Insufficient storage", "storage-full", e.Message), StatusCodes.Status507InsufficientStorage, retryAfter: 60);
        }
        catch (BadHttpRequestException e) when (!http.Response.HasStarted && e.StatusCode == StatusCodes.Status408RequestTimeout)
        {
            // Kestrel's minimum data rate (SR_MIN_UPLOAD_BYTES_PER_S): the upload stalled; its temp file is gone already.
            http.Response.Clear();
            http.Response.StatusCode = e.StatusCode;
            http.Response.Headers.Connection = "close";
            await Problems.Make(e.StatusCode, "The upload was too slow", "UploadTooSlow",
                $"the request body arrived slower than the server's minimum rate and was cut off; nothing was stored ({e.Message}).", type: "upload-too-slow").ExecuteAsync(http);
        }
        catch (Exception e) when (DatabaseFaults.Classify(e) is { } fault)
        {
            logger.LogWarning("{Method} {Path}: {Kind}: {Reason} ({Error})", http.Request.Method, http.Request.Path, fault.Timeout ? "timeout" : "database unavailable", fault.Reason, e.Message);
            // Idle pooled connections to a database that went away are all broken: drop them, so that once it is back
            // the next requests open fresh ones instead of each finding a dead one.
            if (!fault.Timeout) pools.ClearAll();
            if (http.Response.HasStarted)
            {
                http.Abort();
                return;
            }
            await WriteLaterAsync(http, fault.Timeout
                ? ("The request took too long", "timeout", fault.Reason)
                : ("The database is unavailable", "database-unavailable", fault.Reason + " The server reconnects by itself; try again shortly."));
        }
        catch (Exception e) when (Refusal(http, e) is { } refusal)
        {
            if (http.Response.HasStarted)
            {
                http.Abort();
                return;
            }
            ClearKeepingCors(http.Response);
            if (e is GdalBusyException) http.Response.Headers.RetryAfter = ((int)GdalBusyException.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            if (e is GlyphsBusyException) http.Response.Headers.RetryAfter = ((int)GlyphsBusyException.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            if (e is LayersChangingException) http.Response.Headers.RetryAfter = ((int)LayersChangingException.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            await refusal.ExecuteAsync(http);
        }
    }

    /// <summary>The 4xx (or busy) problem for an exception that means the request cannot be done as sent; null for anything else.</summary>
    private IResult? Refusal(HttpContext http, Exception exception)
    {
        switch (exception)
        {
            case InputException input:
                return Problems.From(input);
            case OgcException ogc:
                return Problems.Of(ogc.Status == StatusCodes.Status400BadRequest ? InputError.Malformed : InputError.TooLarge, ogc.Message);
            case ODataFilterException odata:
                return Problems.Of(InputError.Malformed, odata.Message);
            case GdalBusyException busy:
                return Problems.Make(busy.AnonymousShare ? StatusCodes.Status429TooManyRequests : StatusCodes.Status503ServiceUnavailable, "Busy", "Busy", busy.Message);
            case GlyphsBusyException glyphs:
                return Problems.Make(StatusCodes.Status503ServiceUnavailable, "Busy", "Busy", glyphs.Message);
            case LayersChangingException changing:
                return Problems.Make(StatusCodes.Status503ServiceUnavailable, "Busy", "Busy", changing.Message);
            case BadHttpRequestException bad when bad.StatusCode != StatusCodes.Status408RequestTimeout:
                return Problems.Of(bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? InputError.TooLarge : InputError.Malformed,
                    bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "the body is larger than this endpoint takes." : $"the request is malformed: {bad.Message}");
            case PostgresException { SqlState: var state } postgres when state.StartsWith("22", StringComparison.Ordinal):
                logger.LogInformation("a request's value was refused by PostgreSQL ({State}): {Message}", state, postgres.MessageText);
                return Problems.Of(InputError.Malformed,
                    $"a value in the request cannot be used as given (out of range, or a malformed pattern or text; SQLSTATE {state}); check the numbers, patterns and literals.");
            default:
                return null;
        }
    }

    /// <summary>A problem to try again later (503, 429, 507): Retry-After and no caching.</summary>
    public static Task WriteLaterAsync(HttpContext http, (string Title, string Code, string Detail) problem, int status = StatusCodes.Status503ServiceUnavailable, int retryAfter = RetryAfterSeconds)
    {
        http.Response.Clear();
        http.Response.StatusCode = status;
        http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        http.Response.Headers.CacheControl = "no-store";
        return Problems.Later(status, problem.Title, problem.Code, problem.Detail, retryAfter).ExecuteAsync(http);
    }

    /// <summary>Drops what the endpoint set for the answer it meant to give (caching, ETag, a download's name), not the CORS headers.</summary>
    private static void ClearKeepingCors(HttpResponse response)
    {
        var cors = response.Headers.Where(h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase)).ToList();
        response.Clear();
        foreach (var (name, value) in cors) response.Headers[name] = value;
    }
}
