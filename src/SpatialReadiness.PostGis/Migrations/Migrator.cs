using System.Reflection;
using Npgsql;

namespace SpatialReadiness.PostGis.Migrations;

/// <summary>
/// Applies the embedded Migrations/NNNN_name.sql files in order, each in its own transaction, recording them in
/// schema_migrations. Safe to run at every start and from several processes at once (advisory lock).
/// </summary>
public static class Migrator
{
    private const long LockKey = 0x5352_4D49_4752; // "SRMIGR"

    public static async Task<IReadOnlyList<string>> MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await Execute(connection, "SELECT pg_advisory_lock($1)", cancellationToken, LockKey);
        try
        {
            await Execute(connection, "CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())", cancellationToken);
            var applied = new HashSet<string>();
            await using (var command = new NpgsqlCommand("SELECT version FROM schema_migrations", connection))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
                while (await reader.ReadAsync(cancellationToken)) applied.Add(reader.GetString(0));

            var newlyApplied = new List<string>();
            foreach (var (version, sql) in Scripts().Where(s => !applied.Contains(s.Version)))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await Execute(connection, sql, cancellationToken);
                await Execute(connection, "INSERT INTO schema_migrations (version) VALUES ($1)", cancellationToken, version);
                await transaction.CommitAsync(cancellationToken);
                newlyApplied.Add(version);
            }
            if (newlyApplied.Count > 0) await connection.ReloadTypesAsync(cancellationToken);
            return newlyApplied;
        }
        finally
        {
            // A broken connection has released the lock already; unlocking it would hide the error that broke it.
            if (connection.State == System.Data.ConnectionState.Open) await Execute(connection, "SELECT pg_advisory_unlock($1)", CancellationToken.None, LockKey);
        }
    }

    /// <summary>The migrations this build knows that the database has not applied (all of them on an empty database).</summary>
    public static async Task<IReadOnlyList<string>> PendingAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        var applied = new HashSet<string>();
        await using var command = dataSource.CreateCommand("SELECT version FROM schema_migrations");
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) applied.Add(reader.GetString(0));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable) { }
        return [.. KnownVersions.Value.Where(v => !applied.Contains(v))];
    }

    private static readonly Lazy<string[]> KnownVersions = new(() => [.. Scripts().Select(s => s.Version)]);

    private static IEnumerable<(string Version, string Sql)> Scripts()
    {
        var assembly = Assembly.GetExecutingAssembly();
        const string prefix = "SpatialReadiness.PostGis.Migrations.";
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix) && n.EndsWith(".sql")).Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            yield return (name[prefix.Length..^".sql".Length], reader.ReadToEnd());
        }
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in parameters) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
