using NetTopologySuite.Geometries;

namespace SpatialReadiness.Core.Readiness;

/// <summary>
/// The database a check run works in: one connection, scratch tables for the run (check_boundary, check_wards),
/// and the run's findings. Rules hand it SQL with named parameters (@layer, @run and their own); values are always
/// bound, never spliced. Implemented over PostGIS in SpatialReadiness.PostGis.
/// </summary>
public interface ICheckDatabase
{
    Guid RunId { get; }

    /// <summary>Makes the run's progress visible to readers of its status (HTTP, CLI).</summary>
    Task ReportProgressAsync(int stepsDone, int stepsTotal, string currentStep, CancellationToken cancellationToken);

    Task ExecuteAsync(string sql, IReadOnlyDictionary<string, object?> parameters, CancellationToken cancellationToken);

    Task<IReadOnlyList<object?[]>> QueryAsync(string sql, IReadOnlyDictionary<string, object?> parameters, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="findingsSql"/>, whose rows are (feature_id bigint, related_feature_id bigint, detail text,
    /// location geometry, measure double precision), and stores each row as a finding of the run under
    /// <paramref name="rule"/>, labelled by the feature's <paramref name="labelField"/> attribute, with the
    /// <paramref name="basis"/> its reader-rendering needs. Returns how many rows, how many distinct features of the layer they name (either
    /// column), and the sum of measure.
    /// </summary>
    Task<FindingCounts> StoreFindingsAsync(string rule, Severity severity, long layerId, string? labelField, FindingBasis basis, string findingsSql,
        IReadOnlyDictionary<string, object?> parameters, CancellationToken cancellationToken);

    /// <summary>Stores findings computed outside the database (coverage edge matching in NetTopologySuite).</summary>
    Task<FindingCounts> StoreFindingsAsync(IReadOnlyList<Finding> findings, FindingBasis basis, CancellationToken cancellationToken);

    /// <summary>Reads a layer's features (id, geometry in EPSG:4326), in id order.</summary>
    Task<IReadOnlyList<(long Id, Geometry Geometry)>> ReadGeometriesAsync(long layerId, CancellationToken cancellationToken);
}

public sealed record FindingCounts(long Rows, long Features, double Measure)
{
    public static readonly FindingCounts Zero = new(0, 0, 0);
}
