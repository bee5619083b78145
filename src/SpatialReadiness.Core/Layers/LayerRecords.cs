using System.Text.Json.Serialization;

namespace SpatialReadiness.Core.Layers;

/// <summary>
/// A city as the API lists it. <paramref name="Bbox"/> is [minLon, minLat, maxLon, maxLat] of its boundary;
/// <paramref name="LayerCount"/> counts its public layers.
/// </summary>
public sealed record CityInfo(string Id, string Name, string? State, bool HasBoundary, int LayerCount, double[]? Bbox, DateTimeOffset CreatedAt)
{
    /// <summary>
    /// The organisation that speaks for the city (its GIS cell): it owns the layers imported without an owner, and
    /// its moderators declare the city's planning uses. Null: admins alone do both.
    /// </summary>
    public string? Owner { get; init; }
}

/// <summary>
/// Who brought which file, when, under which licence: kept for every version of a layer. <see cref="SourceSha256"/>
/// and <see cref="SourceBytes"/> are null (and not serialised) in a view that withholds them (LayerInfo.DigestsWithheld).
/// </summary>
public sealed record LayerProvenance(
    int Version, string SourceFile,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SourceSha256,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? SourceBytes,
    string Format, string CrsReceived,
    long FeatureCount, string Licence, string ImportedBy, string? Organisation, DateTimeOffset ImportedAt)
{
    /// <summary>This version without the digest and size of what it was made from.</summary>
    public LayerProvenance WithoutDigest() => this with { SourceSha256 = null, SourceBytes = null };

    /// <summary>The digest in words, for texts (catalogue records): size and SHA-256, or that they are withheld.</summary>
    [JsonIgnore]
    public string DigestText => SourceSha256 is null
        ? "size and SHA-256 withheld: the layer has sensitive fields"
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{SourceBytes} bytes, SHA-256 {SourceSha256}");
}

/// <summary>
/// A layer's metadata and the provenance of its current version. <see cref="FieldMap"/> is the uploader's explicit
/// mapping of canonical fields (layers/schemas) to the layer's own; fields not in it are matched by alias.
/// </summary>
public sealed record LayerInfo(
    long Id,
    string City,
    string Name,
    string Kind,
    string Title,
    string? Description,
    string Licence,
    string? Source,
    string? Custodian,
    DateOnly? SurveyDate,
    bool Sensitive,
    int Version,
    string Format,
    string CrsReceived,
    long FeatureCount,
    long InvalidGeometryCount,
    long EmptyGeometryCount,
    IReadOnlyList<string> Fields,
    IReadOnlyDictionary<string, string> FieldMap,
    IReadOnlyList<string> SensitiveFields,
    double[]? Bbox,
    LayerProvenance Provenance,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    private readonly LayerProvenance recorded = Provenance;

    /// <summary>The current version's provenance as this view serves it (<see cref="Shown"/>).</summary>
    public LayerProvenance Provenance { get => Shown(recorded); init => recorded = value; }

    /// <summary>The current version's provenance as stored, digest included: for the server's own use, never served.</summary>
    [JsonIgnore]
    public LayerProvenance RecordedProvenance => recorded;

    /// <summary>
    /// Whether this view withholds each version's source digest and size: it does when it withholds fields. A version's
    /// source (an imported file, or the request body of an accepted contribution or direct edit) holds the hidden values,
    /// so its SHA-256 answers a guess at them offline (a phone number is found in a second) and its size tells their
    /// length. An imported file is withheld too: a small CSV of households is as guessable as one edited feature.
    /// </summary>
    [JsonIgnore]
    public bool DigestsWithheld => WithheldFields.Count > 0;

    /// <summary>A version of this layer (its history, GET /api/layers/{id}/versions) as this view may serve it.</summary>
    public LayerProvenance Shown(LayerProvenance version) => DigestsWithheld ? version.WithoutDigest() : version;

    /// <summary>The fields this view of the layer serves, in the layer's order: all but the withheld ones.</summary>
    public IReadOnlyList<string> PublicFields => WithheldFields.Count == 0 ? Fields : Fields.Except(WithheldFields, StringComparer.Ordinal).ToList();

    /// <summary>Whether features may be created, replaced, updated and deleted (OGC API - Features Part 4, contributions).</summary>
    public bool Editable { get; init; }

    /// <summary>The organisation that owns the layer: its members may read its sensitive data, its moderators review it.</summary>
    public string? Owner { get; init; }

    /// <summary>How often a new version is promised (Publishing.UpdateFrequency name), or null when none is declared.</summary>
    public string? UpdateFrequency { get; init; }

    /// <summary>When the content last changed: the newest import or accepted edit (access changes do not count).</summary>
    public DateTimeOffset? ContentUpdatedAt { get; init; }

    /// <summary>
    /// This view is for a reader allowed to see the layer's sensitive data (Accounts.Caller.View); by default a layer
    /// is seen as the public sees it.
    /// </summary>
    [JsonIgnore]
    public bool Revealed { get; init; }

    /// <summary>A sensitive layer seen by a reader without the right: it is served by no interface.</summary>
    [JsonIgnore]
    public bool Withheld => Sensitive && !Revealed;

    /// <summary>Fields removed from everything this view serves: the sensitive ones, unless revealed.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> WithheldFields => Revealed ? [] : SensitiveFields;
}

/// <summary>
/// What an import asks for: the layer's identity and metadata, and the file's provenance. <paramref name="Owner"/>
/// (an organisation id) is set by a layer's first import; later imports keep the owner it has.
/// </summary>
public sealed record LayerImport(
    string City,
    string Name,
    LayerKind Kind,
    string Title,
    string Licence,
    string SourceFile,
    string SourceSha256,
    long SourceBytes,
    string ImportedBy,
    string? Organisation = null,
    string? Description = null,
    string? Source = null,
    string? Custodian = null,
    DateOnly? SurveyDate = null,
    bool Sensitive = false,
    IReadOnlyDictionary<string, string>? FieldMap = null,
    IReadOnlyList<string>? SensitiveFields = null,
    bool Editable = false,
    string? Owner = null,
    string? UpdateFrequency = null);

/// <summary>An import's progress, readable while it runs (HTTP job status, CLI progress).</summary>
public sealed record ImportJob(
    Guid Id, string City, string LayerName, string FileName, string Status, long FeaturesRead,
    long? LayerId, int? Version, string? ErrorCode, string? Error, string RequestedBy,
    DateTimeOffset StartedAt, DateTimeOffset? FinishedAt);

/// <summary>Who owns a layer (an organisation id), whether it and which of its fields are sensitive, and whether it takes contributions.</summary>
public sealed record LayerAccess(string? Owner, bool Sensitive, IReadOnlyList<string> SensitiveFields, bool Editable)
{
    public static LayerAccess Of(LayerInfo layer) => new(layer.Owner, layer.Sensitive, layer.SensitiveFields, layer.Editable);
}
