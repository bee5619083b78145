using System.Net.Sockets;
using Npgsql;

namespace SpatialReadiness.PostGis;

/// <summary>
/// Which exceptions mean "the database is not there right now" (or "this query ran past its bound") rather than a bug:
/// one place that every caller (HTTP answers, import jobs, check runs) asks, so a database restart reads the same
/// everywhere.
/// </summary>
public static class DatabaseFaults
{
    /// <summary>A fault's kind and a sentence saying what happened, for users and job rows.</summary>
    /// <param name="Busy">The database is there but every connection of the pool is taken: no failover, so never a reason to read the replica instead.</param>
    public sealed record Fault(bool Timeout, string Reason, bool Busy = false);

    /// <summary>The fault <paramref name="e"/> (or an exception inside it) stands for, or null when it is not one.</summary>
    public static Fault? Classify(Exception? e)
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case PostgresException pg when pg.SqlState == PostgresErrorCodes.QueryCanceled && pg.MessageText.Contains("statement timeout", StringComparison.Ordinal):
                    return new(true, "the query ran longer than this kind of request is allowed (statement timeout) and was stopped; narrow the request (a smaller area, a higher zoom, a simpler filter) or try again later.");
                case PostgresException pg when pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                    or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.DatabaseDropped || pg.SqlState.StartsWith("08", StringComparison.Ordinal):
                    return new(false, $"the database connection ended ({pg.SqlState}: {pg.MessageText}).");
                // The "primary" answered as a standby: during a failover HAProxy may, for a moment, send a write to a
                // node that is not (or no longer) the primary. A write refused as read-only (25006), or one that touched
                // an unlogged table (the shared limits' limit_events), which a standby refuses at planning (0A000 from
                // get_relation_info, the one 0A000 it raises).
                case PostgresException pg when pg.SqlState == PostgresErrorCodes.ReadOnlySqlTransaction
                    || pg.SqlState == PostgresErrorCodes.FeatureNotSupported && pg.Routine == "get_relation_info":
                    return new(false, $"the database is not accepting writes right now, as during a failover ({pg.MessageText}).");
                case PostgresException:
                    return null; // a real answer from a working database: not a fault of availability
                case NpgsqlException { InnerException: TimeoutException } when current.Message.Contains("pool", StringComparison.OrdinalIgnoreCase):
                    return new(false, "every database connection is busy; the server is overloaded.", Busy: true);
                case NpgsqlException { InnerException: TimeoutException }:
                    return new(true, "the database did not answer in time and the query was stopped.");
                // Npgsql's "Exception while reading from (writing to) stream": a connection that worked was cut mid-request.
                case NpgsqlException { InnerException: IOException } when current.Message.Contains("stream", StringComparison.Ordinal):
                    return new(false, $"the database connection was lost mid-request ({current.Message}).");
                // Npgsql's text names the host and port it tried ("Failed to connect to 10.0.0.5:5432"): where the database
                // listens is the operator's business, not a client's or a job row's (the server's log has the exception).
                case NpgsqlException { IsTransient: true }:
                case NpgsqlException { InnerException: IOException or SocketException }:
                    return new(false, "the database cannot be reached.");
                case SocketException:
                    return new(false, $"the database cannot be reached ({current.Message}).");
            }
        }
        return null;
    }
}
