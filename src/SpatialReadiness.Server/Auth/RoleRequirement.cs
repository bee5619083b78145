using Microsoft.AspNetCore.Authorization;
using SpatialReadiness.Core.Accounts;

namespace SpatialReadiness.Server.Auth;

/// <summary>
/// An endpoint needs a signed-in caller with at least this role: 401 without sign-in, 403 with a lesser role. Finer
/// rules (moderate this layer, read that one) are the endpoint's, from <see cref="Caller"/>.
/// </summary>
public sealed record RoleRequirement(Role Role) : IAuthorizationRequirement
{
    public static string Policy(Role role) => "role:" + role.ToName();

    public sealed class Handler : AuthorizationHandler<RoleRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RoleRequirement requirement)
        {
            if (context.Resource is HttpContext http && http.Caller() is { IsAuthenticated: true } caller && caller.Role >= requirement.Role)
                context.Succeed(requirement);
            return Task.CompletedTask;
        }
    }
}

public static class RoleRequirements
{
    /// <summary>Only callers signed in with <paramref name="role"/> or above reach the endpoint(s).</summary>
    public static TBuilder RequireRole<TBuilder>(this TBuilder builder, Role role) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(RoleRequirement.Policy(role)).WithMetadata(new RoleRequirement(role));
}
