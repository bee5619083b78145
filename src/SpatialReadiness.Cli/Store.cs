using Npgsql;
using SpatialReadiness.PostGis;

namespace SpatialReadiness.Cli;

/// <summary>Opens the configured database (SR_PG) or the embedded one, migrated.</summary>
internal static class Store
{
    public static async Task<NpgsqlDataSource> OpenAsync(CancellationToken cancellationToken)
    {
        var connectionString = await Database.ResolveConnectionStringAsync(
            Environment.GetEnvironmentVariable("SR_PG"), Database.DefaultDataRoot(), cancellationToken: cancellationToken);
        return await Database.OpenAsync(connectionString, cancellationToken);
    }
}
