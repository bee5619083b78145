using SpatialReadiness.Checks;
using SpatialReadiness.Core.Readiness;
using SpatialReadiness.PostGis.Readiness;

namespace SpatialReadiness.Server.Readiness;

/// <summary>
/// Runs readiness checks in the background, one per city at a time: a POST queues a run and returns at once; the
/// run's row shows its progress. Stopping the server cancels running checks (their runs read failed, "cancelled").
/// </summary>
public sealed class CheckRunner(CheckRuns runs, IHostApplicationLifetime lifetime, ILogger<CheckRunner> logger)
{
    public async Task<(CheckRun Run, bool Created)> StartAsync(string city, string requestedBy, CancellationToken cancellationToken)
    {
        var (run, created) = await runs.QueueAsync(city, RuleSet.Version, requestedBy, cancellationToken);
        if (created)
            _ = Task.Run(async () =>
            {
                try
                {
                    await runs.ExecuteAsync(run.Id, (database, data, ct) => new CityCheck(database).RunAsync(data, ct),
                        cancellationToken: lifetime.ApplicationStopping);
                }
                catch (Exception e)
                {
                    logger.LogWarning("check run {Run} of {City} failed: {Message}", run.Id, city, e.Message);
                }
            }, CancellationToken.None);
        return (run, created);
    }
}
