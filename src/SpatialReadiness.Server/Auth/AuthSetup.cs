using System.Globalization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.PostGis.Accounts;
using SpatialReadiness.PostGis.Limits;

namespace SpatialReadiness.Server.Auth;

/// <summary>
/// Sign-in and its guards, in one place: a cookie for the viewer (HttpOnly, SameSite=Strict, Secure over HTTPS,
/// checked against the user's security stamp on every request, so a changed password, role or a disabled account ends
/// it at once) or an API key for scripts; role policies; anti-forgery tokens on every unsafe request a cookie signs in;
/// and limits on failed sign-ins (LoginThrottle) and on writes (per user), both counted in PostgreSQL so they hold across servers.
/// </summary>
public static class AuthSetup
{
    public const string AntiforgeryHeader = "X-CSRF-TOKEN";
    private const string Smart = "CookieOrApiKey";

    public static void AddSpatialReadinessAuth(this IServiceCollection services, ServerOptions options)
    {
        services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(options.DataRoot, "keys"))).SetApplicationName("SpatialReadiness");
        services.AddAuthentication(Smart)
            .AddPolicyScheme(Smart, "cookie or API key", o => o.ForwardDefaultSelector = http =>
                ApiKeyHandler.KeyOf(http.Request) is null ? CookieAuthenticationDefaults.AuthenticationScheme : ApiKeyHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(ApiKeyHandler.SchemeName, null)
            .AddCookie(o =>
            {
                o.Cookie.Name = "sr.session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = options.Session;
                o.SlidingExpiration = true;
                o.Events.OnValidatePrincipal = ValidateAsync;
                o.Events.OnRedirectToLogin = context => AuthProblems.Unauthorized(context.HttpContext,
                    "sign in first: POST /api/auth/login (the viewer), or send an API key as Authorization: Bearer <key> (scripts, QGIS).");
                o.Events.OnRedirectToAccessDenied = context => AuthProblems.Forbidden(context.HttpContext, null);
            });
        services.AddSingleton<IAuthorizationHandler, RoleRequirement.Handler>();
        services.AddAuthorization(o =>
        {
            foreach (var role in Enum.GetValues<Role>())
                o.AddPolicy(RoleRequirement.Policy(role), policy => policy.AddRequirements(new RoleRequirement(role)));
        });
        services.AddAntiforgery(o =>
        {
            o.HeaderName = AntiforgeryHeader;
            o.Cookie.Name = "sr.antiforgery";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        services.AddSingleton<SharedLimits>();
        services.AddSingleton(provider => new LoginThrottle(provider.GetRequiredService<SharedLimits>(), options.LoginsPerIpPerMinute, options.LoginsPerNamePer15Minutes));
    }

    /// <summary>Authentication, the key and anti-forgery checks, authorization, rate limits: in that order.</summary>
    public static void UseSpatialReadinessAuth(this WebApplication app)
    {
        app.UseAuthentication();
        app.Use(RefuseBadKeysAndForgeries);
        app.UseAuthorization();
        app.Use(LimitWrites);
    }

    /// <summary>
    /// SR_WRITES_PER_USER writes a minute per signed-in user, counted in PostgreSQL (<see cref="SharedLimits"/>), so
    /// the limit holds across every server; past it, 429 with Retry-After until the oldest write of the minute ages out.
    /// </summary>
    private static async Task LimitWrites(HttpContext http, RequestDelegate next)
    {
        if (IsWrite(http.Request) && http.Caller() is { IsAuthenticated: true, UserId: { } user })
        {
            var perMinute = http.RequestServices.GetRequiredService<ServerOptions>().WritesPerUserPerMinute;
            var limits = http.RequestServices.GetRequiredService<SharedLimits>();
            if (await limits.TakeAsync($"writes user {user}", perMinute, TimeSpan.FromMinutes(1), http.RequestAborted) is { } wait)
            {
                await TooManyRequests(http, wait).ExecuteAsync(http);
                return;
            }
        }
        await next(http);
    }

    public static bool IsWrite(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method) || HttpMethods.IsDelete(request.Method);

    public static IResult TooManyRequests(HttpContext http, TimeSpan wait)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Problems.Make(StatusCodes.Status429TooManyRequests, "Too many requests", "TooManyRequests", $"too many requests; try again in {seconds} s.");
    }

    /// <summary>
    /// A request carrying an API key that does not sign anyone in is refused even where no sign-in is needed (a script
    /// should learn its key is wrong, not quietly read less); an unsafe request signed in by the cookie needs the
    /// anti-forgery token (GET /api/auth/antiforgery) in the X-CSRF-TOKEN header. What a signed-in caller reads may be
    /// theirs alone (sensitive data), so shared caches are told not to keep it unless the endpoint says otherwise.
    /// </summary>
    private static async Task RefuseBadKeysAndForgeries(HttpContext http, RequestDelegate next)
    {
        if (http.Method() is not null)
            http.Response.OnStarting(() =>
            {
                if (!http.Response.Headers.ContainsKey(Microsoft.Net.Http.Headers.HeaderNames.CacheControl)) http.Response.Headers.CacheControl = "private, no-cache";
                return Task.CompletedTask;
            });
        if (ApiKeyHandler.KeyOf(http.Request) is not null && http.Method() != Principals.ApiKey)
        {
            await AuthProblems.Unauthorized(http, "the API key is not valid: mistyped, revoked, or its user is disabled.");
            return;
        }
        if (IsWrite(http.Request) && http.Method() == Principals.Cookie)
        {
            try
            {
                await http.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(http);
            }
            catch (AntiforgeryValidationException)
            {
                await Problems.Make(StatusCodes.Status400BadRequest, "Anti-forgery token missing or invalid", "Antiforgery",
                    $"a change made with the sign-in cookie needs the token from GET /api/auth/antiforgery in the {AntiforgeryHeader} header.").ExecuteAsync(http);
                return;
            }
        }
        await next(http);
    }

    /// <summary>Every request signed in by the cookie: the user must still exist, be enabled and have the same security stamp; their current role is used.</summary>
    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var accounts = context.HttpContext.RequestServices.GetRequiredService<AccountStore>();
        if (context.Principal is { } principal && Principals.UserId(principal) is { } id
            && await accounts.GetSignInAsync(id, context.HttpContext.RequestAborted) is { User.Disabled: false } found
            && found.SecurityStamp.ToString() == Principals.Stamp(principal))
        {
            context.ReplacePrincipal(Principals.For(found.User, Principals.Cookie, found.SecurityStamp));
            return;
        }
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }
}
