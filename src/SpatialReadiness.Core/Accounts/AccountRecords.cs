namespace SpatialReadiness.Core.Accounts;

/// <summary>A city GIS cell, an NGO or another body whose members contribute and moderate, and which may own layers.</summary>
public sealed record Organisation(string Id, string Name, string Kind, DateTimeOffset CreatedAt)
{
    public const string Kinds = "city, ngo, other";

    public static bool IsKind(string? kind) => kind is "city" or "ngo" or "other";
}

/// <summary>A user as the API and srd list them; the password hash never leaves the store.</summary>
public sealed record UserAccount(long Id, string Name, string? DisplayName, Role Role, string? Organisation, bool Disabled, DateTimeOffset CreatedAt);

/// <summary>An API key as listed: its first characters (to recognise it), never the key or its hash.</summary>
public sealed record ApiKeyInfo(long Id, string User, string Label, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);
