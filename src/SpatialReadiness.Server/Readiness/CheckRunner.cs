using SpatialReadiness.Checks;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.Core.Readiness;
using SpatialReadiness.PostGis.Readiness;
using SpatialReadiness.Server.Resilience;

namespace SpatialReadiness.Server.Readiness;

/// <summary>
/// Runs readiness checks in the background, one per city at a time: a POST queues a run and returns at once; the
/// run's row shows its progress; at most SR_MAX_CHECKS run at once. A run queued here that this server cannot start is
/// claimed by another (<see cref="AbandonedWork"/>). Stopping the server cancels running checks (their runs read failed, "cancelled").
/// </summary>
public sealed class CheckRunner(CheckRuns runs, WorkLimits limits, IHostApplicationLifetime lifetime, ILogger<CheckRunner> logger)
{
    /// <summary>The readiness check itself, as every server runs it.</summary>
    public static Task<ReadinessScore> Check(ICheckDatabase database, CityCheckData data, CancellationToken cancellationToken) =>
        new CityCheck(database).RunAsync(data, cancellationToken);

    /// <summary>
    /// The run queued for the city (or the one already queued or running for it), or the refusal when as many checks
    /// run as <see cref="WorkLimits"/> allows: a run holds its slot until it ends.
    /// </summary>
    public async Task<(CheckRun? Run, IResult? Refusal)> StartAsync(string city, Caller caller, CancellationToken cancellationToken)
    {
        var (lease, refusal) = limits.TryEnter(HeavyWork.Check, caller);
        if (refusal is not null) return (null, refusal);
        try
        {
            var (run, created) = await runs.QueueAsync(city, RuleSet.Version, caller.Name, cancellationToken);
            if (!created) return (run, null);
            var held = lease;
            lease = null;
            _ = Task.Run(async () =>
            {
                using (held)
                {
                    try
                    {
                        await runs.ExecuteAsync(run.Id, Check, cancellationToken: lifetime.ApplicationStopping);
                    }
                    catch (Exception e)
                    {
                        logger.LogWarning("check run {Run} of {City} failed: {Message}", run.Id, city, e.Message);
                    }
                }
            }, CancellationToken.None);
            return (run, null);
        }
        finally
        {
            lease?.Dispose();
        }
    }
}
