using Npgsql;

namespace SpatialReadiness.Server.Tiles;

/// <summary>
/// Listens for layer_changed notifications (sent by every committed import, whichever process ran it) and evicts the
/// layer from the tile catalog. If the listening connection drops, everything is evicted, since changes may be missed.
/// </summary>
public sealed class LayerChangeListener(NpgsqlDataSource dataSource, TileCatalog catalog, ILogger<LayerChangeListener> logger) : BackgroundService
{
    public const string Channel = "layer_changed";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    var parts = e.Payload.Split(' ', 2);
                    if (parts.Length == 2 && long.TryParse(parts[0], out var layerId)) catalog.Evict(layerId, parts[1]);
                    else catalog.EvictAll();
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection)) await listen.ExecuteNonQueryAsync(stoppingToken);
                catalog.EvictAll(); // anything that changed while not listening
                while (!stoppingToken.IsCancellationRequested) await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException)
            {
                logger.LogWarning("layer change listener lost its connection ({Message}); retrying", e.Message);
                catalog.EvictAll();
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }
}
