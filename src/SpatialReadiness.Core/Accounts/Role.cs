namespace SpatialReadiness.Core.Accounts;

/// <summary>
/// What a user may do, each role including the ones before it. Anonymous callers read public layers like viewers;
/// a contributor (who belongs to an organisation) proposes changes; a moderator reviews them for the layers of their
/// organisation and publishes layers; an admin may do everything.
/// </summary>
public enum Role { Viewer, Contributor, Moderator, Admin }

public static class Roles
{
    public static string Names => "viewer, contributor, moderator, admin";

    public static string ToName(this Role role) => role.ToString().ToLowerInvariant();

    public static bool TryParse(string? text, out Role role)
    {
        role = Role.Viewer;
        return text is not null && text.All(char.IsAsciiLetterLower) && Enum.TryParse(text, ignoreCase: true, out role) && Enum.IsDefined(role);
    }
}
