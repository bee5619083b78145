namespace SpatialReadiness.Server;

/// <summary>
/// Every RFC 9457 problem+json answer the server gives is built here: the status, title, machine code ("code") and
/// type URI of each kind of refusal or fault decided in one place. <see cref="ErrorAnswers"/> maps exceptions to them.
/// </summary>
public static class Problems
{
    public const string TypeBase = "https://spatialreadiness.org/problems/";

    public static int Status(InputError code) => code switch
    {
        InputError.Malformed => StatusCodes.Status400BadRequest,
        InputError.UnsupportedFormat => StatusCodes.Status415UnsupportedMediaType,
        InputError.TooLarge => StatusCodes.Status413PayloadTooLarge,
        InputError.Unprocessable => StatusCodes.Status422UnprocessableEntity,
        InputError.NotFound => StatusCodes.Status404NotFound,
        InputError.Conflict => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status400BadRequest,
    };

    public static IResult From(InputException e) => Of(e.Code, e.Message);

    public static IResult Of(InputError code, string detail) => Make(Status(code), Title(code), code.ToString(), detail);

    public static IResult Unauthorized(string detail) => Make(StatusCodes.Status401Unauthorized, "Not signed in", "Unauthorized", detail);

    public static IResult Forbidden(string detail) => Make(StatusCodes.Status403Forbidden, "Not allowed", "Forbidden", detail);

    /// <summary>
    /// A problem of its own kind: its type is the code in lower case unless <paramref name="type"/> names it;
    /// <paramref name="extra"/> adds members after "code".
    /// </summary>
    public static IResult Make(int status, string title, string code, string detail, string? type = null, IEnumerable<KeyValuePair<string, object?>>? extra = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        foreach (var (name, value) in extra ?? []) extensions[name] = value;
        return Results.Problem(detail: detail, statusCode: status, title: title, type: TypeBase + (type ?? code.ToLowerInvariant()), extensions: extensions);
    }

    /// <summary>A problem to try again later: Retry-After and "retryAfterSeconds" say when (503 busy or down, 429, 507).</summary>
    public static IResult Later(int status, string title, string code, string detail, int retryAfterSeconds) =>
        Make(status, title, code, detail, extra: [new("retryAfterSeconds", retryAfterSeconds)]);

    /// <summary>
    /// OData's refusals (a path or option its parser rejects): no type of ours, since the code is OData's status
    /// class (NotFound, NotImplemented, Malformed) rather than one of our problem kinds.
    /// </summary>
    public static IResult OData(int status, string detail) =>
        Results.Problem(statusCode: status, detail: detail,
            title: status switch { 404 => "Not found", 501 => "Not implemented", _ => "Bad OData request" },
            extensions: new Dictionary<string, object?> { ["code"] = status switch { 404 => "NotFound", 501 => "NotImplemented", _ => "Malformed" } });

    /// <summary>406 from content negotiation: the type is the RFC's, as ASP.NET Core gives it.</summary>
    public static IResult NotAcceptable(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status406NotAcceptable, title: "Not acceptable", detail: detail);

    private static string Title(InputError code) => code switch
    {
        InputError.Malformed => "The input is malformed",
        InputError.UnsupportedFormat => "The format is not supported",
        InputError.TooLarge => "The input is too large",
        InputError.Unprocessable => "The input cannot be stored as given",
        InputError.NotFound => "Not found",
        InputError.Conflict => "Conflict",
        _ => "Bad input",
    };
}
