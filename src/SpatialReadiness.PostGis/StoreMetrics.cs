using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SpatialReadiness.PostGis;

/// <summary>
/// The store's own measurements, on the "SpatialReadiness" meter (the server exports it at /metrics): how long imports
/// and check runs take, and reads run on the primary because the read replica was behind or unreachable.
/// </summary>
public static class StoreMetrics
{
    public const string MeterName = "SpatialReadiness";
    private static readonly Meter Meter = new(MeterName);

    public static readonly Histogram<double> ImportDuration = Meter.CreateHistogram<double>("sr.import.duration", "s", "Time to import one layer file, failed imports included.");
    public static readonly Histogram<double> CheckDuration = Meter.CreateHistogram<double>("sr.check.duration", "s", "Time to run one city's readiness check, failed runs included.");
    public static readonly Counter<long> ReplicaSkipped = Meter.CreateCounter<long>("sr.replica.skipped", "{read}", "Tile and feature reads run on the primary because the replica was behind a layer's version or unreachable.");
    public static readonly Counter<long> ReplicaFallback = Meter.CreateCounter<long>("sr.replica.fallback", "{read}", "Layer, city and sign-in lookups read from the replica because the primary could not be reached (a failover).");

    /// <summary>Records the time from now until it is disposed.</summary>
    public static Timing Time(Histogram<double> histogram) => new(histogram, Stopwatch.GetTimestamp());

    public readonly struct Timing(Histogram<double> histogram, long started) : IDisposable
    {
        public void Dispose() => histogram.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }
}
