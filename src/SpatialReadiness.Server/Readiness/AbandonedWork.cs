using SpatialReadiness.Checks;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.PostGis;
using SpatialReadiness.PostGis.Layers;
using SpatialReadiness.PostGis.Readiness;
using SpatialReadiness.Server.Resilience;

namespace SpatialReadiness.Server.Readiness;

/// <summary>
/// Every server, every few seconds: work left behind by a server that died is found through PostgreSQL and never
/// stays 'running'. Imports and check runs whose backend is gone are marked interrupted (nothing of them was kept;
/// an import's file was on that server); check runs queued but never claimed (their server died before starting
/// them) are claimed here (FOR UPDATE SKIP LOCKED, so exactly one server takes each) and run while this server has a
/// check slot free.
/// </summary>
public sealed class AbandonedWork(LayerStore layers, CheckRuns runs, WorkLimits limits, ILogger<AbandonedWork> logger) : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(3);
    private static readonly Caller Server = new(0, "server", Role.Admin, null);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (DatabaseFaults.Classify(e) is not null)
            {
                // PostgreSQL is away (a failover): the next sweep after it is back finds whatever was left.
            }
            // A little jitter, so the servers of a cluster do not all sweep at the same moment.
            await Task.Delay(Every + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 500)), stoppingToken).ContinueWith(_ => { }, CancellationToken.None);
        }
    }

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        if (await layers.MarkAbandonedImportsAsync(cancellationToken) is > 0 and var imports)
            logger.LogWarning("{Count} import(s) left running by a server that stopped were marked interrupted", imports);
        if (await runs.MarkAbandonedAsync(cancellationToken) is > 0 and var checks)
            logger.LogWarning("{Count} check run(s) left running by a server that stopped were marked interrupted", checks);
        while (!cancellationToken.IsCancellationRequested)
        {
            var (lease, refusal) = limits.TryEnter(HeavyWork.Check, Server);
            if (refusal is not null) return;
            using (lease)
                if (!await runs.RunNextQueuedAsync(CheckRunner.Check, cancellationToken)) return;
        }
    }
}
