using Npgsql;
using SpatialReadiness.PostGis.Tiles;

namespace SpatialReadiness.Server.Tiles;

/// <summary>
/// Fills the stored tile geometry of freshly imported layers in the background (PostGis/Tiles/TileGeometryFill),
/// looking for pending layers every few seconds; after a restart it resumes where the last fill stopped. Tiles need no
/// eviction as it goes: a tile made before a feature is filled has the same bytes as one made after (docs/importing.md).
/// Uses half the cores, so tiles and feeds keep the rest while a million buildings fill.
/// </summary>
public sealed class TileGeometryFiller(TileGeometryFill fill, ILogger<TileGeometryFiller> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var parallelism = Math.Max(1, Environment.ProcessorCount / 2);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var layer in await fill.PendingLayersAsync(stoppingToken))
                {
                    var started = TimeProvider.System.GetTimestamp();
                    if (await fill.FillAsync(layer, parallelism, null, stoppingToken) is { } filled and > 0)
                        logger.LogInformation("tile geometry of layer {Layer}: {Filled} features filled in {Seconds:0.0} s",
                            layer, filled, TimeProvider.System.GetElapsedTime(started).TotalSeconds);
                }
                await Task.Delay(Every, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException)
            {
                // The database is away or restarting: what was filled stays filled; try again shortly.
                logger.LogWarning("tile geometry fill paused ({Message}); retrying", e.Message);
                await Task.Delay(Every, stoppingToken);
            }
        }
    }
}
