using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.PostGis.Accounts;

namespace SpatialReadiness.Server.Auth;

/// <summary>
/// Signs in scripts and QGIS by API key, sent as "Authorization: Bearer srd_..." or "X-Api-Key: srd_...". The key's
/// SHA-256 is looked up; a revoked key, or a disabled user's, signs nobody in.
/// </summary>
public sealed class ApiKeyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AccountStore accounts)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    /// <summary>The key a request carries, if any (a Bearer token or X-Api-Key).</summary>
    public static string? KeyOf(HttpRequest request)
    {
        if (request.Headers["X-Api-Key"].ToString() is { Length: > 0 } header) return header.Trim();
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (KeyOf(Request) is not { } key) return AuthenticateResult.NoResult();
        if (!ApiKeys.LooksLikeKey(key) || await accounts.FindByKeyAsync(ApiKeys.Sha256(key), Context.RequestAborted) is not { } found)
            return AuthenticateResult.Fail("the API key is not valid: mistyped, revoked, or its user is disabled.");
        return AuthenticateResult.Success(new AuthenticationTicket(Principals.For(found.User, Principals.ApiKey), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        AuthProblems.Unauthorized(Context, KeyOf(Request) is null
            ? "sign in first: POST /api/auth/login (the viewer), or send an API key as Authorization: Bearer <key> (scripts, QGIS)."
            : "the API key is not valid: mistyped, revoked, or its user is disabled.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => AuthProblems.Forbidden(Context, null);
}
