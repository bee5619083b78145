using Npgsql;

namespace SpatialReadiness.Server.Resilience;

/// <summary>
/// Every connection pool the server keeps (general, tiles, feeds, proposal staging). When the database went away
/// their idle connections are all dead; <see cref="ClearAll"/> drops them so the next requests open fresh ones
/// instead of each finding a dead one after PostgreSQL is back.
/// </summary>
public sealed class DatabasePools(params NpgsqlDataSource[] pools)
{
    public void ClearAll()
    {
        foreach (var pool in pools) pool.Clear();
    }
}
