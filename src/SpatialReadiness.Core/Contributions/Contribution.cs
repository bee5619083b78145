using SpatialReadiness.Core.Readiness;
namespace SpatialReadiness.Core.Contributions;

/// <summary>
/// A feature at one version: its geometry (GeoJSON text) and attributes (a JSON object as text); both null once deleted.
/// The version of a proposed state is null until acceptance gives it one.
/// </summary>
public sealed record FeatureState(int? Version, string? GeometryJson, string? AttributesJson)
{
    public bool Deleted => GeometryJson is null && AttributesJson is null;
}

/// <summary>
/// One stored change: the feature as the contributor saw it (<paramref name="Before"/>, at <paramref name="BaseVersion"/>;
/// null for a create) and as proposed (<paramref name="After"/>; null for a delete). <paramref name="FeatureId"/> of a
/// create is known once accepted; <paramref name="Version"/> is the version acceptance made.
/// </summary>
public sealed record FeatureChange(int Ordinal, ChangeAction Action, long? FeatureId, int? BaseVersion, int? Version, FeatureState? Before, FeatureState? After)
{
    /// <summary>Whether the proposed geometry differs from the one the contributor started from (point for point).</summary>
    public bool GeometryChanged { get; init; }
}

/// <summary>A 4.e finding about a proposed feature, found when the contribution arrived. <paramref name="Change"/> is its ordinal.</summary>
public sealed record ContributionFinding(int Change, string Rule, string Severity, string Detail, string? LocationJson)
{
    /// <summary>What the finding was built from: its author sees it only when they may see every one of those fields.</summary>
    public FindingBasis Basis { get; init; } = FindingBasis.AllFields;
}

/// <summary>A contribution with its review and its changes. Layer and city are named for people; ids are for the API.</summary>
public sealed record Contribution(
    long Id,
    long LayerId,
    string City,
    string Layer,
    ContributionState State,
    Channel Channel,
    string Author,
    string? Organisation,
    string Licence,
    string Comment,
    string? Source,
    long? Reverts,
    DateTimeOffset CreatedAt,
    string? Reviewer,
    string? ReviewNote,
    DateTimeOffset? ReviewedAt,
    int? LayerVersion,
    IReadOnlyList<FeatureChange> Changes,
    IReadOnlyList<ContributionFinding> Findings);

/// <summary>
/// A change whose base version is no longer the feature's current one: what the contributor started from, what is
/// there now (null: the feature no longer exists, e.g. a re-import replaced it) and what they proposed.
/// </summary>
public sealed record VersionConflict(int Change, long FeatureId, int BaseVersion, int? CurrentVersion, FeatureState? Base, FeatureState? Current, FeatureState? Proposed);

/// <summary>Thrown when a submission or an acceptance meets stale base versions; the contribution is kept, marked conflicted.</summary>
public sealed class ConflictException(long contributionId, IReadOnlyList<VersionConflict> conflicts)
    : Exception($"contribution {contributionId} changes {conflicts.Count} feature(s) that changed since: " +
                string.Join("; ", conflicts.Select(c => $"feature {c.FeatureId} is at {(c.CurrentVersion is { } v ? "version " + v : "no version (gone)")}, the change was made on version {c.BaseVersion}")))
{
    public long ContributionId { get; } = contributionId;
    public IReadOnlyList<VersionConflict> Conflicts { get; } = conflicts;
}

/// <summary>
/// One version of a feature in its history: who made it, when, and through which contribution (null: as imported).
/// A deletion is a version too, without geometry or attributes.
/// </summary>
public sealed record FeatureVersion(long FeatureId, FeatureState State, long? Contribution, string By, string? Organisation, DateTimeOffset At);
