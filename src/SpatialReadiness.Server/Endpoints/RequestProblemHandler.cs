using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Ingest;
using SpatialReadiness.Server.OData;
using SpatialReadiness.Server.OgcFeatures;

namespace SpatialReadiness.Server.Endpoints;

/// <summary>
/// The last word on exceptions that mean "the request is wrong" or "busy", wherever they surface (in an endpoint, in
/// a result streaming out, in model binding): problem+json with their 4xx, or 503 with Retry-After when GDAL's slots
/// are taken; never the 500 the exception handler gives anything else. PostgreSQL's data exceptions (SQLSTATE class
/// 22: a value out of range, a malformed pattern) come only from values a client sent, so they are 400 too; their
/// text is not echoed, since it may quote a stored value.
/// </summary>
public sealed class RequestProblemHandler(ILogger<RequestProblemHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (http.Response.HasStarted) return false;
        var result = Problem(http, exception);
        if (result is null) return false;
        await result.ExecuteAsync(http);
        return true;
    }

    private IResult? Problem(HttpContext http, Exception exception)
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
                http.Response.Headers.RetryAfter = ((int)GdalBusyException.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                return Results.Problem(statusCode: busy.AnonymousShare ? StatusCodes.Status429TooManyRequests : StatusCodes.Status503ServiceUnavailable, title: "Busy", detail: busy.Message,
                    type: "https://spatialreadiness.org/problems/busy", extensions: new Dictionary<string, object?> { ["code"] = "Busy" });
            case BadHttpRequestException bad:
                return Problems.Of(bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? InputError.TooLarge : InputError.Malformed,
                    bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "the body is larger than this endpoint takes." : $"the request is malformed: {bad.Message}");
            case PostgresException { SqlState: var state } postgres when state.StartsWith("22", StringComparison.Ordinal):
                log.LogInformation("a request's value was refused by PostgreSQL ({State}): {Message}", state, postgres.MessageText);
                return Problems.Of(InputError.Malformed,
                    $"a value in the request cannot be used as given (out of range, or a malformed pattern or text; SQLSTATE {state}); check the numbers, patterns and literals.");
            default:
                return null;
        }
    }
}
