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
    /// moderators who can read it and whose organisation owns it (or who moderate a layer no organisation owns).
    /// </summary>
    public bool MayModerate(LayerInfo layer) =>
        IsAdmin || Role == Role.Moderator && MayRead(layer) && (layer.Owner is null || layer.Owner == Organisation);
}
