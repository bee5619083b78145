using Npgsql;
using SpatialReadiness.PostGis.Features;
using SpatialReadiness.PostGis.Layers;
using SpatialReadiness.Server.OData;

namespace SpatialReadiness.Server.Tiles;

/// <summary>
/// Listens for layer_changed notifications (sent by every committed import, whichever process ran it) and evicts the
/// layer from the tile catalog. A notification is sent only to those listening when it commits: whenever the listening
/// connection is (re)established — after a drop, a PostgreSQL restart, a failover to the replica — the catalog and
/// every cached tile are dropped, and so are the kept feature counts, OData models and field types, since changes may
/// have been missed (a restored backup even reuses version numbers).
/// A connection that died silently is found by a ping when nothing has arrived for a while.
/// </summary>
public sealed class LayerChangeListener(NpgsqlDataSource dataSource, TileCatalog catalog, TileCache tiles, FeatureReader features,
    ODataServices odata, LayerFieldTypes fieldTypes, ILogger<LayerChangeListener> logger) : BackgroundService
{
    public static readonly TimeSpan PingAfter = TimeSpan.FromSeconds(10);
    public const string ApplicationName = "spatialreadiness-listener";

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
                    else DropEverything(); // a restore: versions may repeat with other data
                };
                // Named, so an operator (or a test) can tell this backend from the others in pg_stat_activity.
                await using (var listen = new NpgsqlCommand($"SET application_name = '{ApplicationName}'; LISTEN {Channel}", connection)) await listen.ExecuteNonQueryAsync(stoppingToken);
                DropEverything(); // anything that changed while not listening
                while (!stoppingToken.IsCancellationRequested)
                    if (!await connection.WaitAsync(PingAfter, stoppingToken))
                        await using (var ping = new NpgsqlCommand("SELECT 1", connection)) await ping.ExecuteScalarAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException)
            {
                logger.LogWarning("layer change listener lost its connection ({Message}); retrying", e.Message);
                DropEverything();
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>Everything kept under a layer version: after a restore or a failover a version may stand for other data.</summary>
    private void DropEverything()
    {
        catalog.EvictAll();
        tiles.Clear();
        features.ForgetCounts();
        odata.Clear();
        fieldTypes.Clear();
    }
}
