using Npgsql;
using SpatialReadiness.PostGis;
using SpatialReadiness.PostGis.Migrations;

namespace SpatialReadiness.Server.Resilience;

/// <summary>
/// /health/live: the process answers (a do-nothing endpoint, also what load tests measure against).
/// /health/ready (and /health): whether the server can do its work, and if not what is wrong: the database reachable
/// within 3 s, every migration this build knows applied. 200 when ready, else 503 with Retry-After, so a load balancer
/// or an operator sees a database that went away instead of "ok".
/// </summary>
public static class Health
{
    public static void MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health/live", () => "ok").WithSummary("Liveness: the server process answers");
        app.MapGet("/health/ready", Ready).WithSummary("Readiness: database reachable and migrated; 503 saying what is wrong otherwise");
        app.MapGet("/health", Ready).WithSummary("The same as /health/ready");
    }

    private static async Task Ready(HttpContext http, NpgsqlDataSource dataSource)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        object database;
        object migrations;
        var problems = new List<string>();
        try
        {
            var pending = await Migrator.PendingAsync(dataSource, timeout.Token);
            database = new { reachable = true };
            migrations = new { applied = pending.Count == 0, pending };
            if (pending.Count > 0) problems.Add($"migrations not applied: {string.Join(", ", pending)} (restart the server or run srd db migrate)");
        }
        catch (Exception e) when (DatabaseFaults.Classify(e) is not null || e is OperationCanceledException && !http.RequestAborted.IsCancellationRequested)
        {
            var reason = DatabaseFaults.Classify(e)?.Reason ?? "the database did not answer within 3 s.";
            database = new { reachable = false, error = reason };
            migrations = new { applied = (bool?)null };
            problems.Add("database unreachable: " + reason);
        }
        var ready = problems.Count == 0;
        http.Response.StatusCode = ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.CacheControl = "no-store";
        if (!ready) http.Response.Headers.RetryAfter = FaultAnswers.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await http.Response.WriteAsJsonAsync(new { status = ready ? "ready" : "unavailable", problems, database, migrations }, http.RequestAborted);
    }
}
