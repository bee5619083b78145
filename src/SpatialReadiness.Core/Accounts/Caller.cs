using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.Core.Accounts;

/// <summary>
/// Who is asking, and the rules of what they may read and do, in one place. Sensitive layers and fields are revealed
/// to admins and to the contributors and moderators of the organisation that owns the layer; everyone else (anonymous,
/// viewers, other organisations) sees the layer as the public does: sensitive layers absent, sensitive fields removed.
/// </summary>
public sealed record Caller(long? UserId, string Name, Role Role, string? Organisation)
{
    public static readonly Caller Anonymous = new(null, "anonymous", Role.Viewer, null);

    public bool IsAuthenticated => UserId is not null;

    public bool IsAdmin => Role == Role.Admin;

    public bool MayReadSensitive(LayerInfo layer) =>
        IsAdmin || Role >= Role.Contributor && Organisation is not null && layer.Owner == Organisation;

    /// <summary>The layer as this caller may see it: revealed (nothing withheld) or as the public sees it.</summary>
    public LayerInfo View(LayerInfo layer) => MayReadSensitive(layer) ? layer with { Revealed = true } : layer;

    public bool MayRead(LayerInfo layer) => !View(layer).Withheld;

    /// <summary>Propose changes to a layer: contributors and up who can read it.</summary>
    public bool MayContribute(LayerInfo layer) => Role >= Role.Contributor && MayRead(layer);

    /// <summary>
    /// Review contributions to a layer, edit it directly, publish new versions of it and mark it sensitive: admins, and
    /// the moderators of the organisation that owns it. A layer no organisation owns is moderated by admins alone, so no
    /// layer is ever moderated by strangers (docs/security.md, "Ownership").
    /// </summary>
    public bool MayModerate(LayerInfo layer) =>
        IsAdmin || Role == Role.Moderator && Organisation is not null && layer.Owner == Organisation;

    /// <summary>Speak for a city (declare its planning uses, score item B4): admins and the moderators of the city's owner organisation.</summary>
    public bool MaySpeakFor(CityInfo city) =>
        IsAdmin || Role == Role.Moderator && Organisation is not null && city.Owner == Organisation;
}
