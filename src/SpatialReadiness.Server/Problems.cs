namespace SpatialReadiness.Server;

/// <summary>Turns input errors into RFC 9457 problem+json, with the HTTP status and machine code decided in one place.</summary>
public static class Problems
{
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

    public static IResult Of(InputError code, string detail) =>
        Results.Problem(
            detail: detail,
            statusCode: Status(code),
            title: Title(code),
            type: "https://spatialreadiness.org/problems/" + code.ToString().ToLowerInvariant(),
            extensions: new Dictionary<string, object?> { ["code"] = code.ToString() });

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
