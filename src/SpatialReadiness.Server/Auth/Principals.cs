using System.Globalization;
using System.Security.Claims;
using SpatialReadiness.Core.Accounts;

namespace SpatialReadiness.Server.Auth;

/// <summary>The claims a signed-in request carries (user id, name, role, organisation; a cookie also the security stamp), and the caller they stand for.</summary>
public static class Principals
{
    public const string Cookie = "cookie";
    public const string ApiKey = "apikey";
    private const string OrganisationClaim = "org";
    private const string StampClaim = "stamp";
    private const string DisplayNameClaim = "display";

    public static ClaimsPrincipal For(UserAccount user, string method, Guid? stamp = null)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, user.Id.ToString(CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, user.Name),
            new(ClaimTypes.Role, user.Role.ToName()),
        };
        if (user.Organisation is not null) claims.Add(new Claim(OrganisationClaim, user.Organisation));
        if (user.DisplayName is not null) claims.Add(new Claim(DisplayNameClaim, user.DisplayName));
        if (stamp is not null) claims.Add(new Claim(StampClaim, stamp.Value.ToString()));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, method, ClaimTypes.Name, ClaimTypes.Role));
    }

    public static long? UserId(ClaimsPrincipal principal) =>
        long.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    public static string? Stamp(ClaimsPrincipal principal) => principal.FindFirstValue(StampClaim);

    /// <summary>The name to greet the signed-in user by: their display name, else their user name.</summary>
    public static string? DisplayName(this HttpContext http) => http.User.FindFirstValue(DisplayNameClaim) ?? http.User.Identity?.Name;

    /// <summary>Who the request is from: the signed-in user, or <see cref="Caller.Anonymous"/>.</summary>
    public static Caller Caller(this HttpContext http)
    {
        var principal = http.User;
        if (principal.Identity?.IsAuthenticated != true || UserId(principal) is not { } id) return Core.Accounts.Caller.Anonymous;
        Roles.TryParse(principal.FindFirstValue(ClaimTypes.Role), out var role);
        return new Caller(id, principal.Identity.Name ?? "", role, principal.FindFirstValue(OrganisationClaim));
    }

    /// <summary>How the request signed in: <see cref="Cookie"/>, <see cref="ApiKey"/>, or null.</summary>
    public static string? Method(this HttpContext http) => http.User.Identity?.IsAuthenticated == true ? http.User.Identity.AuthenticationType : null;
}
