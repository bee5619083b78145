using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.PostGis.Accounts;
using SpatialReadiness.Server.Auth;
using SpatialReadiness.Server.Uploads;

namespace SpatialReadiness.Server.Endpoints;

/// <summary>
/// Signing in and out (the viewer: a cookie, then the anti-forgery token for every change it makes), who the caller is,
/// their own password and their API keys (for scripts and QGIS; the key is shown once, only its hash is kept).
/// Accounts themselves are made with srd users.
/// </summary>
public static class AuthEndpoints
{
    public sealed record Credentials(string? Name, string? Password);

    public sealed record PasswordChange(string? Current, string? New);

    public sealed record NewKey(string? Label);

    public static void MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Accounts");
        auth.MapPost("/login", Login).WithBodyLimit(BodyLimits.SignIn)
            .WithSummary("Sign in with name and password: sets the session cookie; answers who you are and the anti-forgery token");
        auth.MapPost("/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.NoContent();
        }).RequireRole(Role.Viewer).WithSummary("Sign out: ends the session cookie");
        auth.MapGet("/me", (HttpContext http, IAntiforgery antiforgery) => Results.Json(Me(http, antiforgery)))
            .WithSummary("Who the caller is (authenticated false when anonymous), how they signed in, and an anti-forgery token for a cookie session");
        auth.MapGet("/antiforgery", (HttpContext http, IAntiforgery antiforgery) => Results.Json(Token(http, antiforgery)))
            .WithSummary("An anti-forgery token: send it as X-CSRF-TOKEN with every change made with the session cookie");
        auth.MapPost("/password", ChangePassword).RequireRole(Role.Viewer).WithSummary("Change your own password (the current one is needed); other sessions end");
        auth.MapGet("/keys", async (HttpContext http, AccountStore accounts, CancellationToken ct) =>
            Results.Ok(await accounts.ListKeysAsync(http.Caller().UserId, ct))).RequireRole(Role.Viewer).WithSummary("Your API keys (never the keys themselves)");
        auth.MapPost("/keys", IssueKey).RequireRole(Role.Viewer).WithSummary("Issue yourself an API key; it is shown in this answer only");
        auth.MapDelete("/keys/{id:long}", async (long id, HttpContext http, AccountStore accounts, CancellationToken ct) =>
                await accounts.RevokeKeyAsync(id, http.Caller().UserId, ct) ? Results.NoContent() : Problems.Of(InputError.NotFound, $"you have no active key {id}."))
            .RequireRole(Role.Viewer).WithSummary("Revoke one of your API keys");
    }

    private static async Task<IResult> Login(Credentials body, HttpContext http, AccountStore accounts, LoginThrottle throttle, IAntiforgery antiforgery, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body.Name) || string.IsNullOrEmpty(body.Password))
            return Problems.Of(InputError.Malformed, "send {\"name\": \"...\", \"password\": \"...\"}.");
        if (body.Password.Length > Passwords.MaxLength || body.Name.Trim().Length > 63)
            return Problems.Of(InputError.Malformed, $"a password has at most {Passwords.MaxLength} characters, a user name at most 63.");
        var name = body.Name.Trim().ToLowerInvariant();
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var verdict = await throttle.CheckAsync(name, address, ct);
        if (verdict.RetryAfter is { } wait)
        {
            await throttle.SettleAsync(verdict);
            return AuthSetup.TooManyRequests(http, wait);
        }
        if (verdict.Delay > TimeSpan.Zero) await Task.Delay(verdict.Delay, ct);
        var found = name.Contains('\0') ? null : await accounts.GetSignInAsync(name, ct);
        if (!Passwords.Verify(body.Password, found?.PasswordHash, out var rehash) || found is null || found.User.Disabled)
            return Problems.Unauthorized("the name or the password is wrong (or the account is disabled)."); // the attempt stays counted
        await throttle.SettleAsync(verdict);
        if (rehash) await accounts.RehashAsync(found.User.Id, Passwords.Hash(body.Password), ct);
        var principal = Principals.For(found.User, Principals.Cookie, found.SecurityStamp);
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
        http.User = principal; // the anti-forgery token below is bound to the signed-in user
        return Results.Json(Me(http, antiforgery));
    }

    private static async Task<IResult> ChangePassword(PasswordChange body, HttpContext http, AccountStore accounts, IAntiforgery antiforgery, CancellationToken ct)
    {
        var caller = http.Caller();
        var found = (await accounts.GetSignInAsync(caller.UserId!.Value, ct))!;
        if ((body.Current?.Length ?? 0) > Passwords.MaxLength || !Passwords.Verify(body.Current ?? "", found.PasswordHash, out _)) return Problems.Forbidden("the current password is wrong.");
        if (Passwords.Weakness(body.New) is { } weakness) return Problems.Of(InputError.Unprocessable, weakness);
        var user = await accounts.SetPasswordAsync(caller.Name, Passwords.Hash(body.New!), ct);
        if (http.Method() == Principals.Cookie)
        {
            // The stamp changed, which ends every session; this one continues under a new cookie.
            var renewed = (await accounts.GetSignInAsync(user.Id, ct))!;
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, Principals.For(user, Principals.Cookie, renewed.SecurityStamp));
        }
        return Results.NoContent();
    }

    private static async Task<IResult> IssueKey(NewKey? body, HttpContext http, AccountStore accounts, CancellationToken ct)
    {
        var caller = http.Caller();
        var issued = ApiKeys.Issue();
        var info = await accounts.AddKeyAsync(caller.UserId!.Value, body?.Label ?? "", issued, ct);
        return Results.Created($"/api/auth/keys/{info.Id}", new { key = issued.Key, info.Id, info.Label, info.Prefix, info.CreatedAt });
    }

    private static JsonObject Me(HttpContext http, IAntiforgery antiforgery)
    {
        var caller = http.Caller();
        var me = new JsonObject { ["authenticated"] = caller.IsAuthenticated, ["role"] = caller.Role.ToName() };
        if (!caller.IsAuthenticated) return me;
        me["name"] = caller.Name;
        me["displayName"] = http.DisplayName();
        me["organisation"] = caller.Organisation;
        me["signedInWith"] = http.Method();
        if (http.Method() == Principals.Cookie) me["antiforgery"] = Token(http, antiforgery);
        return me;
    }

    private static JsonObject Token(HttpContext http, IAntiforgery antiforgery)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        return new JsonObject { ["headerName"] = tokens.HeaderName, ["token"] = tokens.RequestToken };
    }
}
