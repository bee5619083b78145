using SpatialReadiness.PostGis;

namespace SpatialReadiness.Server.Resilience;

/// <summary>
/// Every request's last word on faults: the database gone (down, restarting, a connection cut) or a query stopped by
/// its statement timeout is a 503 problem+json with Retry-After, never a 500; a client that went away gets nothing
/// (its query was cancelled by the request's token) and no error is logged for it. When the answer had already started
/// streaming there is no status to change: the connection is cut, so the client sees a broken transfer, not a
/// complete-looking one.
/// </summary>
public sealed class FaultAnswers(RequestDelegate next, DatabasePools pools, ILogger<FaultAnswers> logger)
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
        catch (Uploads.TempSpaceFull e) when (!http.Response.HasStarted)
        {
            logger.LogError("{Method} {Path}: upload temp space is full: {Message}", http.Request.Method, http.Request.Path, e.InnerException?.Message);
            await WriteAsync(http, ("Insufficient storage", "storage-full", e.Message), StatusCodes.Status507InsufficientStorage, retryAfter: 60);
        }
        catch (BadHttpRequestException e) when (!http.Response.HasStarted && e.StatusCode == StatusCodes.Status408RequestTimeout)
        {
            // Kestrel's minimum data rate (SR_MIN_UPLOAD_BYTES_PER_S): the upload stalled; its temp file is gone already.
            http.Response.Clear();
            http.Response.StatusCode = e.StatusCode;
            http.Response.Headers.Connection = "close";
            await Results.Problem(title: "The upload was too slow", statusCode: e.StatusCode, type: "https://spatialreadiness.org/problems/upload-too-slow",
                detail: $"the request body arrived slower than the server's minimum rate and was cut off; nothing was stored ({e.Message}).",
                extensions: new Dictionary<string, object?> { ["code"] = "UploadTooSlow" }).ExecuteAsync(http);
        }
        catch (Exception e) when (DatabaseFaults.Classify(e) is { } fault)
        {
            logger.LogWarning("{Method} {Path}: {Kind}: {Reason}", http.Request.Method, http.Request.Path, fault.Timeout ? "timeout" : "database unavailable", fault.Reason);
            // Idle pooled connections to a database that went away are all broken: drop them, so that once it is back
            // the next requests open fresh ones instead of each finding a dead one.
            if (!fault.Timeout) pools.ClearAll();
            if (http.Response.HasStarted)
            {
                http.Abort();
                return;
            }
            await WriteAsync(http, fault.Timeout
                ? ("The request took too long", "timeout", fault.Reason)
                : ("The database is unavailable", "database-unavailable", fault.Reason + " The server reconnects by itself; try again shortly."));
        }
    }

    public static async Task WriteAsync(HttpContext http, (string Title, string Code, string Detail) problem, int status = StatusCodes.Status503ServiceUnavailable, int retryAfter = RetryAfterSeconds)
    {
        http.Response.Clear();
        http.Response.StatusCode = status;
        http.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        http.Response.Headers.CacheControl = "no-store";
        await Results.Problem(title: problem.Title, detail: problem.Detail, statusCode: status,
            type: "https://spatialreadiness.org/problems/" + problem.Code,
            extensions: new Dictionary<string, object?> { ["code"] = problem.Code, ["retryAfterSeconds"] = retryAfter }).ExecuteAsync(http);
    }
}
