namespace SpatialReadiness.Core.Readiness;

/// <summary>
/// The Spatial Readiness Score of a city from one check run (docs: layers/README.md and docs/api/readiness.md).
/// SRS-20 = A + B + C; SRS-100 = 5 x SRS-20. Every mark is explained by its items, every lost point of
/// layer quality by a rule outcome, and every rule outcome by findings (<see cref="FindingsUrl"/>).
/// </summary>
public sealed record ReadinessScore(
    string City,
    Guid RunId,
    string RuleSetVersion,
    string InputHash,
    string EngineVersions,
    DateTimeOffset EvaluatedAt,
    double Srs20,
    double Srs100,
    ReferenceBoundary Boundary,
    IReadOnlyList<ScorePart> Parts,
    IReadOnlyList<LayerQuality> Layers,
    string FindingsUrl,
    string ReportUrl)
{
    /// <summary>How many layers withheld from this reader were counted in the score (they are named nowhere in it).</summary>
    public int RestrictedLayers { get; init; }
}

/// <summary>
/// What "the city" meant in this run: the official boundary layer, the union of the wards, or nothing. Exclusion zones
/// are the holes in the ward coverage the city declared (an exclusion layer); candidates are large compact holes not
/// declared, offered to confirm and scored as coverage gaps until they are.
/// </summary>
public sealed record ReferenceBoundary(string Source, long? LayerId, string? Layer, double? AreaKm2, int ExclusionZones, double ExclusionZonesKm2)
{
    public int ExclusionCandidates { get; init; }

    public double ExclusionCandidatesKm2 { get; init; }
}

/// <summary>A part of SRS-20: A (6 marks), B (4), C (10).</summary>
public sealed record ScorePart(string Code, string Title, double Marks, double MaxMarks, IReadOnlyList<ScoreItem> Items);

/// <summary>One scored item, with how it was measured. Declared items rest on what the city stated, not on measurement.</summary>
public sealed record ScoreItem(string Code, string Title, double Marks, double MaxMarks, string Basis, bool Declared = false);

/// <summary>
/// The quality Q (0-100) of one layer: 0 when a gate failed; otherwise 100 x the sum over applicable rules of
/// (weight - lost) / the sum of their weights.
/// </summary>
public sealed record LayerQuality(
    long LayerId,
    string Layer,
    string Kind,
    string Title,
    int Version,
    long FeatureCount,
    string? Gate,
    double Quality,
    IReadOnlyList<RuleOutcome> Rules,
    IReadOnlyList<WarningCount> Warnings,
    string FindingsUrl)
{
    /// <summary>The field map the check used, with the reason for each choice; set it with PUT /api/layers/{id}/field-map.</summary>
    public IReadOnlyList<FieldChoice> FieldMap { get; init; } = [];
}

/// <summary>
/// How one rule scored on one layer: <c>lost = weight x min(1, errorRate / tolerance)</c>. Population is the layer's
/// feature count and Offending the features its findings name (a gap names none); Findings is how many rows it filed.
/// A rule scored by area (<see cref="ScoredBy"/> "area": OVERLAP, GAP_SLIVER, COVERAGE_GAP) has its error rate from
/// <see cref="OffendingAreaM2"/> over <see cref="AreaM2"/> (the layer's or the city's area); the others from features.
/// A rule that cannot apply (no ward layer to compare with, no id field) is not applicable and its weight leaves the sum.
/// </summary>
public sealed record RuleOutcome(
    string Rule,
    string Title,
    double Weight,
    double Tolerance,
    bool Applicable,
    string? Note,
    double Population,
    double Offending,
    double ErrorRate,
    double Lost,
    long Findings,
    long ElapsedMs)
{
    public const string ByFeatures = "features";
    public const string ByArea = "area";

    public string ScoredBy { get; init; } = ByFeatures;

    public double? AreaM2 { get; init; }

    public double? OffendingAreaM2 { get; init; }
}

/// <summary>Which of the layer's fields the check read as <paramref name="Canonical"/> (ward_no, slum_id, ...), and why.</summary>
public sealed record FieldChoice(string Canonical, string Field, string Reason);

/// <summary>How many findings of a warning (not scored) a layer has.</summary>
public sealed record WarningCount(string Rule, string Title, long Findings);
