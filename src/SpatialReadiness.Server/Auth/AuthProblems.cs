using SpatialReadiness.Core.Accounts;

namespace SpatialReadiness.Server.Auth;

/// <summary>401 and 403 as RFC 9457 problems, written the same way whichever part of the pipeline refuses.</summary>
public static class AuthProblems
{
    public static IResult Unauthorized(string detail) => Problem(StatusCodes.Status401Unauthorized, "Not signed in", "Unauthorized", detail);

    public static IResult Forbidden(string detail) => Problem(StatusCodes.Status403Forbidden, "Not allowed", "Forbidden", detail);

    public static Task Unauthorized(HttpContext http, string detail)
    {
        http.Response.Headers.WWWAuthenticate = "Bearer realm=\"SpatialReadiness\"";
        return Unauthorized(detail).ExecuteAsync(http);
    }

    /// <summary>403 from the authorization policies: says which role the request needed.</summary>
    public static Task Forbidden(HttpContext http, string? detail)
    {
        var caller = http.Caller();
        var needed = http.GetEndpoint()?.Metadata.GetMetadata<RoleRequirement>()?.Role;
        return Forbidden(detail ?? $"{caller.Name} is a {caller.Role.ToName()}; this needs a {needed?.ToName() ?? "different role"} or above.").ExecuteAsync(http);
    }

    private static IResult Problem(int status, string title, string code, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title, type: "https://spatialreadiness.org/problems/" + code.ToLowerInvariant(),
            extensions: new Dictionary<string, object?> { ["code"] = code });
}
