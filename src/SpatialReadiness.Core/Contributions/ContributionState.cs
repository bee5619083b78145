namespace SpatialReadiness.Core.Contributions;

/// <summary>
/// Where a contribution is in review. Pending until a moderator accepts it (applied atomically, feature versions
/// bumped) or rejects it with a note; conflicted when a feature it changes moved on since its base version (nothing is
/// applied and nothing is lost: the contributor re-bases and proposes again). Accepted, rejected and conflicted are final.
/// </summary>
public enum ContributionState { Pending, Accepted, Rejected, Conflicted }

/// <summary>What one change does to one feature. Modify of a deleted feature (its base the deletion) restores it.</summary>
public enum ChangeAction { Create, Modify, Delete }

/// <summary>How a contribution arrived: drawn or edited in the viewer (api), a file, an OGC API - Features write, or a revert.</summary>
public enum Channel { Api, Upload, Ogc, Revert }

public static class ContributionNames
{
    public static string ToName(this ContributionState state) => state.ToString().ToLowerInvariant();

    public static string ToName(this ChangeAction action) => action.ToString().ToLowerInvariant();

    public static string ToName(this Channel channel) => channel.ToString().ToLowerInvariant();

    public static bool TryParse<T>(string? text, out T value) where T : struct, Enum =>
        Enum.TryParse(text, ignoreCase: true, out value) && Enum.IsDefined(value) && text!.All(char.IsAsciiLetter);

    public static string Names<T>() where T : struct, Enum => string.Join(", ", Enum.GetValues<T>().Select(v => v.ToString().ToLowerInvariant()));
}
