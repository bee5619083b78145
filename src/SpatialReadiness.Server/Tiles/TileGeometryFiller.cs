using Npgsql;
using SpatialReadiness.PostGis.Tiles;
using SpatialReadiness.Server.Metrics;

namespace SpatialReadiness.Server.Tiles;

/// <summary>
/// Fills the stored tile geometry of freshly imported layers in the background (PostGis/Tiles/TileGeometryFill),
/// looking for pending layers every few seconds; after a restart it resumes where the last fill stopped. Tiles need no
/// eviction as it goes: a tile made before a feature is filled has the same bytes as one made after (docs/importing.md).
/// Uses half the cores, so tiles and feeds keep the rest while a million buildings fill. A layer whose fill fails (a
/// statement that throws on one of its features, the database gone, or anything else but the host stopping) is tried
/// again after 2 s, then after twice as long each time up to a minute, while the server keeps serving and the other
/// layers fill as usual; its tiles are made the live way meanwhile.
/// </summary>
public sealed class TileGeometryFiller(TileGeometryFill fill, ILogger<TileGeometryFiller> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan LongestWait = TimeSpan.FromMinutes(1);

    /// <summary>Failures in a row of one thing (a layer's fill, or reading which layers are pending), and when to try it again.</summary>
    private sealed class Retry
    {
        private DateTimeOffset _notBefore;

        public int Failures { get; private set; }

        public bool Due => TimeProvider.System.GetUtcNow() >= _notBefore;

        /// <summary>Counts a failure; returns how long to wait: 2 s after the first, doubling up to <see cref="LongestWait"/>.</summary>
        public TimeSpan Failed()
        {
            Failures++;
            var wait = TimeSpan.FromTicks(Math.Min(Every.Ticks << Math.Min(Failures - 1, 10), LongestWait.Ticks));
            _notBefore = TimeProvider.System.GetUtcNow() + wait;
            return wait;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var parallelism = Math.Max(1, Environment.ProcessorCount / 2);
        var failing = new Dictionary<long, Retry>(); // layers whose last fill failed; forgotten when one succeeds
        var listing = new Retry();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var pending = await fill.PendingLayersAsync(stoppingToken);
                listing = new Retry();
                foreach (var layer in pending)
                    if (!failing.TryGetValue(layer, out var retry) || retry.Due)
                        await FillAsync(layer, parallelism, failing, stoppingToken);
                foreach (var done in failing.Keys.Except(pending).ToList()) failing.Remove(done);
                await Task.Delay(Every, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The database is away or restarting (or something else went wrong): what was filled stays filled.
                var wait = listing.Failed();
                logger.LogWarning("tile geometry fill paused: pending layers cannot be read ({Error}); next try in {Seconds:0} s", Describe(e), wait.TotalSeconds);
                await Task.Delay(wait, stoppingToken);
            }
        }
    }

    private async Task FillAsync(long layer, int parallelism, Dictionary<long, Retry> failing, CancellationToken stoppingToken)
    {
        try
        {
            var started = TimeProvider.System.GetTimestamp();
            if (await fill.FillAsync(layer, parallelism, null, stoppingToken) is not { } filled) return; // another server is filling it
            failing.Remove(layer);
            Telemetry.TileGeometryFills.Add(1, new KeyValuePair<string, object?>("result", "filled"));
            if (filled > 0)
                logger.LogInformation("tile geometry of layer {Layer}: {Filled} features filled in {Seconds:0.0} s",
                    layer, filled, TimeProvider.System.GetElapsedTime(started).TotalSeconds);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // A database error, or anything else (a bug, a function of another shape than this server knows): the layer
            // is tried again later; the host and the other layers go on. What was filled stays filled; the rest of the
            // layer is made the live way until a later try succeeds.
            if (!failing.TryGetValue(layer, out var retry)) failing[layer] = retry = new Retry();
            var wait = retry.Failed();
            Telemetry.TileGeometryFills.Add(1, new KeyValuePair<string, object?>("result", "failed"));
            if (e is NpgsqlException or IOException or TimeoutException)
                logger.LogWarning("tile geometry fill of layer {Layer} failed ({Failures} in a row: {Error}); next try in {Seconds:0} s",
                    layer, retry.Failures, Describe(e), wait.TotalSeconds);
            else
                logger.LogError("tile geometry fill of layer {Layer} failed unexpectedly ({Failures} in a row: {Error}); next try in {Seconds:0} s\n{StackTrace}",
                    layer, retry.Failures, Describe(e), wait.TotalSeconds, e.StackTrace);
        }
    }

    /// <summary>
    /// What an operator needs of a failure: the exception's type (and the one it wraps) and PostgreSQL's SQLSTATE, never
    /// a message: PostgreSQL's message, detail and context may quote the values and coordinates of the feature being
    /// filled, which may be sensitive, and the server log reaches people the layer's owner never allowed to see them.
    /// </summary>
    private static string Describe(Exception e) =>
        e.GetType().Name
        + (e.InnerException is { } inner ? $" ({inner.GetType().Name})" : "")
        + (e is NpgsqlException { SqlState: { } state } ? $" SQLSTATE {state}" : "");
}
