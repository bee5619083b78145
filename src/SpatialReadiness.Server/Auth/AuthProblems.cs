using SpatialReadiness.Core.Accounts;

namespace SpatialReadiness.Server.Auth;

/// <summary>The sign-in pipeline's 401 and 403 (<see cref="Problems"/> builds them), with what only the pipeline knows.</summary>
public static class AuthProblems
{
    public static Task Unauthorized(HttpContext http, string detail)
    {
        http.Response.Headers.WWWAuthenticate = "Bearer realm=\"SpatialReadiness\"";
        return Problems.Unauthorized(detail).ExecuteAsync(http);
    }

    /// <summary>403 from the authorization policies: says which role the request needed.</summary>
    public static Task Forbidden(HttpContext http, string? detail)
    {
        var caller = http.Caller();
        var needed = http.GetEndpoint()?.Metadata.GetMetadata<RoleRequirement>()?.Role;
        return Problems.Forbidden(detail ?? $"{caller.Name} is a {caller.Role.ToName()}; this needs a {needed?.ToName() ?? "different role"} or above.").ExecuteAsync(http);
    }
}
