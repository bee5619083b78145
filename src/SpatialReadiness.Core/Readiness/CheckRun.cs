namespace SpatialReadiness.Core.Readiness;

/// <summary>
/// A run of the readiness check over one city's layers, readable while it runs. A finished run keeps what makes it
/// reproducible: the rule-set version, a hash of its input layers and the PostGIS, GEOS and PROJ versions.
/// Status is queued, running, succeeded, failed or interrupted.
/// </summary>
public sealed record CheckRun(
    Guid Id,
    string City,
    string Status,
    string RuleSetVersion,
    string? InputHash,
    string? EngineVersions,
    int StepsDone,
    int StepsTotal,
    string? CurrentStep,
    long FindingCount,
    string? Error,
    string RequestedBy,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt);
