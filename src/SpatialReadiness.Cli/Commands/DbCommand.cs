using Npgsql;
using SpatialReadiness.PostGis;
using SpatialReadiness.PostGis.Backups;
using SpatialReadiness.PostGis.Embedded;
using SpatialReadiness.PostGis.Migrations;

namespace SpatialReadiness.Cli.Commands;

internal static class DbCommand
{
    public static async Task<int> RunAsync(Arguments arguments, TextWriter output, CancellationToken cancellationToken)
    {
        arguments.RejectUnknown();
        var configured = Environment.GetEnvironmentVariable("SR_PG");
        switch (arguments.Positional.FirstOrDefault())
        {
            case "start":
                var connectionString = await Database.ResolveConnectionStringAsync(configured, Database.DefaultDataRoot(), cancellationToken: cancellationToken);
                await using (var dataSource = await Database.OpenAsync(connectionString, cancellationToken)) { }
                output.WriteLine(new NpgsqlConnectionStringBuilder(connectionString) { Password = null }.ConnectionString);
                return 0;
            case "migrate":
                await using (var dataSource = Database.CreateDataSource(await Database.ResolveConnectionStringAsync(configured, Database.DefaultDataRoot(), cancellationToken: cancellationToken)))
                {
                    var applied = await Migrator.MigrateAsync(dataSource, cancellationToken);
                    output.WriteLine(applied.Count == 0 ? "schema is up to date" : "applied: " + string.Join(", ", applied));
                }
                return 0;
            case "status":
                await using (var dataSource = await Store.OpenAsync(cancellationToken))
                await using (var command = dataSource.CreateCommand("SELECT version(), postgis_full_version()"))
                await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
                {
                    await reader.ReadAsync(cancellationToken);
                    output.WriteLine(reader.GetString(0));
                    output.WriteLine(reader.GetString(1));
                }
                return 0;
            case "stop":
                if (!string.IsNullOrEmpty(configured)) throw new InputException(InputError.Malformed, "SR_PG names an external database; srd only stops the embedded one.");
                new EmbeddedPostgis(Database.DefaultDataRoot()).Stop();
                output.WriteLine("embedded PostgreSQL stopped");
                return 0;
            case "backup" or "restore" when arguments.Positional.Count == 2:
                var target = await Database.ResolveConnectionStringAsync(configured, Database.DefaultDataRoot(), cancellationToken: cancellationToken);
                var file = arguments.Positional[1];
                if (arguments.Positional[0] == "backup")
                {
                    await DatabaseBackup.BackupAsync(target, file, cancellationToken);
                    output.WriteLine($"backed up to {file}; keep {Path.Combine(Database.DefaultDataRoot(), "keys")} with it (sign-in cookies need those keys)");
                }
                else
                {
                    await DatabaseBackup.RestoreAsync(target, file, cancellationToken);
                    output.WriteLine($"restored from {file}");
                }
                return 0;
            default:
                throw new InputException(InputError.Malformed, "usage: srd db start|migrate|status|stop|backup FILE|restore FILE");
        }
    }
}
