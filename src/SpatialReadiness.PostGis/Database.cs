using Npgsql;
using SpatialReadiness.PostGis.Embedded;
using SpatialReadiness.PostGis.Migrations;

namespace SpatialReadiness.PostGis;

/// <summary>
/// Opens the store: the configured PostgreSQL (SR_PG or appsettings ConnectionStrings:Postgis) when there is one,
/// otherwise the embedded cluster under {dataRoot}/pg; then migrates. One way in for the server, the CLI and tests.
/// </summary>
public static class Database
{
    public static async Task<string> ResolveConnectionStringAsync(string? configured, string dataRoot, string? database = null, CancellationToken cancellationToken = default)
    {
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        return await new EmbeddedPostgis(dataRoot).StartAsync(database ?? EmbeddedPostgis.DefaultDatabase, cancellationToken);
    }

    /// <summary>
    /// Connections for tile requests: a tile query touches a few hundred rows, where a parallel plan's worker start-up
    /// costs more than it saves and takes the cores other requests need (measured: z12 tiles 3x faster serially).
    /// </summary>
    public static NpgsqlDataSource CreateTileDataSource(string connectionString, TimeSpan? statementTimeout = null)
    {
        var options = new NpgsqlConnectionStringBuilder(connectionString);
        options.Options = ((options.Options ?? "") + " -c max_parallel_workers_per_gather=0" + StatementTimeout(statementTimeout)).Trim();
        options.ApplicationName ??= "spatialreadiness-tiles";
        options.NoResetOnClose = true; // tile queries change no session state: skip the reset round trip on every request
        return CreateDataSource(options.ConnectionString);
    }

    /// <summary>
    /// Connections for reading pages of features (OData, OGC API items): PostgreSQL stops a query that runs past
    /// <paramref name="statementTimeout"/> and frees its backend, so a pathological filter cannot hold one.
    /// </summary>
    public static NpgsqlDataSource CreateFeedDataSource(string connectionString, TimeSpan statementTimeout)
    {
        var options = new NpgsqlConnectionStringBuilder(connectionString);
        options.Options = ((options.Options ?? "") + StatementTimeout(statementTimeout)).Trim();
        options.ApplicationName ??= "spatialreadiness-feeds";
        return CreateDataSource(options.ConnectionString);
    }

    private static string StatementTimeout(TimeSpan? timeout) =>
        timeout is { } t ? " -c statement_timeout=" + ((long)t.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture) : "";

    /// <summary>
    /// Connections that never keep prepared statements, for checking contributions: the proposal is staged in a
    /// temporary table named features that hides the real one, and PostgreSQL resolves table names when it plans, so a
    /// plan kept from before would read the real table instead.
    /// </summary>
    public static NpgsqlDataSource CreateStagingDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.MaxAutoPrepare = 0;
        builder.ConnectionStringBuilder.ApplicationName ??= "spatialreadiness-proposals";
        builder.Name = NameOf(builder.ConnectionStringBuilder);
        builder.UseNetTopologySuite();
        return builder.Build();
    }

    /// <summary>The pool's name in metrics: what it is for and where it points, never the rest of the connection string.</summary>
    private static string NameOf(NpgsqlConnectionStringBuilder options) => $"{options.ApplicationName ?? "spatialreadiness"}@{options.Host}:{options.Port}/{options.Database}";

    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.Name = NameOf(builder.ConnectionStringBuilder);
        // Tile and feed SQL is fixed per layer: let Npgsql prepare repeated statements so PostgreSQL plans them once.
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0) builder.ConnectionStringBuilder.MaxAutoPrepare = 100;
        builder.UseNetTopologySuite();
        return builder.Build();
    }

    public static async Task<NpgsqlDataSource> OpenAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var dataSource = CreateDataSource(connectionString);
        try
        {
            await Migrator.MigrateAsync(dataSource, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedFile || e.MessageText.Contains("postgis", StringComparison.OrdinalIgnoreCase))
        {
            await dataSource.DisposeAsync();
            throw new InvalidOperationException($"PostGIS is not available in this PostgreSQL ({e.MessageText}); install postgresql-15-postgis-3.", e);
        }
        return dataSource;
    }

    /// <summary>The folder that holds .data: SR_DATA if set, else beside the nearest SpatialReadiness.sln, else the working directory.</summary>
    public static string DefaultDataRoot()
    {
        if (Environment.GetEnvironmentVariable("SR_DATA") is { Length: > 0 } configured) return Path.GetFullPath(configured);
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "SpatialReadiness.sln"))) return Path.Combine(dir.FullName, ".data");
        return Path.Combine(Directory.GetCurrentDirectory(), ".data");
    }
}
