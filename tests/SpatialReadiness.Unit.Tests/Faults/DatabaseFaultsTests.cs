using Npgsql;
using SpatialReadiness.PostGis;

namespace SpatialReadiness.Unit.Tests.Faults;

/// <summary>
/// What a standby says to a write during a failover is an availability fault (503 + Retry-After), not a bug (500):
/// the errors as PostgreSQL 15 raises them on a node in recovery, seen in the cluster's failover test.
/// </summary>
public sealed class DatabaseFaultsTests
{
    private static PostgresException Error(string sqlState, string message, string? routine = null) =>
        new(message, "ERROR", "ERROR", sqlState, routine: routine);

    [Fact]
    public void A_write_refused_by_a_standby_is_an_availability_fault()
    {
        var readOnly = Error(PostgresErrorCodes.ReadOnlySqlTransaction, "cannot execute INSERT in a read-only transaction", "PreventCommandIfReadOnly");
        var unlogged = Error(PostgresErrorCodes.FeatureNotSupported, "cannot access temporary or unlogged relations during recovery", "get_relation_info");
        foreach (var e in new[] { readOnly, unlogged })
        {
            var fault = DatabaseFaults.Classify(new InvalidOperationException("wrapped", e));
            Assert.NotNull(fault);
            Assert.False(fault.Timeout);
            Assert.False(fault.Busy);
        }
    }

    [Fact]
    public void Other_unsupported_features_are_real_answers_not_faults()
    {
        Assert.Null(DatabaseFaults.Classify(Error(PostgresErrorCodes.FeatureNotSupported, "unsupported XML feature", "xml_parse")));
        Assert.Null(DatabaseFaults.Classify(Error(PostgresErrorCodes.FeatureNotSupported, "cannot access temporary or unlogged relations during recovery")));
    }
}
