using System.Diagnostics;
using System.Globalization;
using Npgsql;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.PostGis.Embedded;
using SpatialReadiness.PostGis.Migrations;

namespace SpatialReadiness.PostGis.Backups;

/// <summary>
/// A backup is pg_dump's custom format of the whole database the server owns (layers and their versions, features and
/// their history, accounts and API key hashes, contributions, check runs and findings, the schema's migration record).
/// A restore replaces those objects in one transaction (all or nothing), brings the schema up to this version, and
/// tells every running server to drop its cached tiles. The data protection keys (SR_DATA/keys) are files, not in the
/// database: back them up beside the dump, or every session cookie is void after a restore on another machine.
/// </summary>
public static class DatabaseBackup
{
    public static async Task BackupAsync(string connectionString, string file, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(file);
        if (!Directory.Exists(Path.GetDirectoryName(full)))
            throw new InputException(InputError.Malformed, $"the folder for '{file}' does not exist.");
        var partial = full + ".partial";
        try
        {
            await RunAsync("pg_dump", connectionString, ["--format=custom", "--no-owner", "--no-privileges", "--file", partial], cancellationToken);
            File.Move(partial, full, overwrite: true); // never a half-written file under the name asked for
        }
        finally
        {
            File.Delete(partial);
        }
    }

    public static async Task RestoreAsync(string connectionString, string file, CancellationToken cancellationToken)
    {
        if (!File.Exists(file)) throw new InputException(InputError.NotFound, $"no backup file '{file}'.");
        await using (var head = File.OpenRead(file))
        {
            var magic = new byte[5];
            if (await head.ReadAtLeastAsync(magic, 5, throwOnEndOfStream: false, cancellationToken) < 5 || System.Text.Encoding.ASCII.GetString(magic) != "PGDMP")
                throw new InputException(InputError.Unprocessable, $"'{file}' is not a backup made by srd db backup (pg_dump custom format).");
        }
        await RunAsync("pg_restore", connectionString,
            ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", "--dbname", Database(connectionString), Path.GetFullPath(file)], cancellationToken);
        await using var dataSource = PostGis.Database.CreateDataSource(connectionString);
        await Migrator.MigrateAsync(dataSource, cancellationToken);
        // A payload that names no layer makes every listening server drop every cached tile and layer.
        await using var notify = dataSource.CreateCommand("SELECT pg_notify('layer_changed', 'restored')");
        await notify.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string Database(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Database
        ?? throw new InvalidOperationException("the connection string names no database");

    /// <summary>A PostgreSQL client program, connected through the libpq environment (the password never on a command line).</summary>
    private static async Task RunAsync(string tool, string connectionString, string[] arguments, CancellationToken cancellationToken)
    {
        var options = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo(EmbeddedPostgis.PgBin(tool)) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["PGHOST"] = options.Host ?? "127.0.0.1";
        start.Environment["PGPORT"] = options.Port.ToString(CultureInfo.InvariantCulture);
        start.Environment["PGUSER"] = options.Username ?? Environment.UserName;
        start.Environment["PGDATABASE"] = Database(connectionString);
        start.Environment["PGCONNECT_TIMEOUT"] = "10";
        if (!string.IsNullOrEmpty(options.Password)) start.Environment["PGPASSWORD"] = options.Password;
        if (options.SslMode is SslMode.Require or SslMode.VerifyCA or SslMode.VerifyFull) start.Environment["PGSSLMODE"] = options.SslMode.ToString().ToLowerInvariant() switch { "verifyca" => "verify-ca", "verifyfull" => "verify-full", var m => m };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{tool} failed ({process.ExitCode}): {(await errors).Trim()} {(await output).Trim()}".Trim());
    }
}
