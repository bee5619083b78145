using NetTopologySuite.Geometries;

namespace SpatialReadiness.Core.Contributions;

/// <summary>
/// One change a contributor proposes to one feature. Create needs a geometry; modify and delete name the feature and
/// the version they were made against (<paramref name="BaseVersion"/>; null: whatever is current, as QGIS writes over
/// OGC API - Features without If-Match). A modify merges <paramref name="PropertiesJson"/> into the feature's
/// attributes and removes <paramref name="RemovedProperties"/>, or with <paramref name="ReplaceProperties"/> replaces
/// them all except <paramref name="KeptProperties"/> (the sensitive fields the proposer cannot see, which a replace must
/// not erase); a null geometry keeps the feature's own. Geometry is in EPSG:4326, already validated.
/// </summary>
public sealed record ProposedChange(
    ChangeAction Action,
    long? FeatureId,
    int? BaseVersion,
    string PropertiesJson,
    Geometry? Geometry,
    IReadOnlyList<string>? RemovedProperties = null,
    bool ReplaceProperties = false,
    IReadOnlyList<string>? KeptProperties = null)
{
    public static ProposedChange Create(string propertiesJson, Geometry geometry) => new(ChangeAction.Create, null, null, propertiesJson, geometry);

    public static ProposedChange Delete(long featureId, int? baseVersion) => new(ChangeAction.Delete, featureId, baseVersion, "{}", null);
}

/// <summary>
/// A contribution as proposed: the layer, how it came, and its changes. <paramref name="Licence"/> null means the
/// layer's own; <paramref name="Source"/> names the file or the request it came from, with the body's SHA-256 and size.
/// </summary>
public sealed record ContributionRequest(
    long LayerId,
    Channel Channel,
    IReadOnlyList<ProposedChange> Changes,
    string? Comment = null,
    string? Licence = null,
    string? Source = null,
    string? SourceSha256 = null,
    long? SourceBytes = null,
    long? Reverts = null);
