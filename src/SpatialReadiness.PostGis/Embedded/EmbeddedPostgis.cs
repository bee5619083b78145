using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace SpatialReadiness.PostGis.Embedded;

/// <summary>
/// A private PostgreSQL + PostGIS cluster under {data}/pg for when no connection string is configured: created with
/// initdb on first use, started with pg_ctl on a loopback port kept across restarts, shared by the server, the CLI and the tests
/// (a lock file serialises start-up). PostgreSQL refuses to run as root, so as root it runs as the postgres user.
/// </summary>
public sealed class EmbeddedPostgis(string dataRoot)
{
    public const string DefaultDatabase = "spatialreadiness";
    // A single local node with no replicas: wal_level=minimal lets an import skip WAL for the table it creates and
    // fills in one transaction (the bulk of the I/O). Commits are durable (synchronous_commit on): with it off, a
    // crash of PostgreSQL lost the contribution proposed half a second before, after the client had its 201.
    private static readonly string[] ServerSettings =
    [
        "listen_addresses=127.0.0.1", "unix_socket_directories=", $"shared_buffers={SharedBuffersMb}MB", "maintenance_work_mem=512MB",
        "work_mem=32MB", "max_wal_size=4GB", "jit=off", "max_connections=200", $"effective_cache_size={SharedBuffersMb * 2}MB",
        "wal_level=minimal", "max_wal_senders=0",
    ];

    // A quarter of the machine's memory, as PostgreSQL's documentation advises for a dedicated server (between 256 MB
    // and 8 GB): a checked layer of a million buildings (1.4 GB with its stored tile geometry) is then read from
    // PostgreSQL's own buffers by each rule, not copied in again from the kernel's cache (docs/benchmarks.md).
    private static long SharedBuffersMb => Math.Clamp(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4 / (1024 * 1024), 256, 8192);

    public string ClusterDirectory { get; } = Path.Combine(Path.GetFullPath(dataRoot), "pg");
    private string LogFile => Path.Combine(Path.GetDirectoryName(ClusterDirectory)!, "pg.log");

    /// <summary>Starts the cluster if it is not running and returns a connection string to <paramref name="database"/>, created if missing.</summary>
    public async Task<string> StartAsync(string database = DefaultDatabase, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(ClusterDirectory)!);
        int port;
        using (await AcquireLockAsync(cancellationToken))
        {
            if (!File.Exists(Path.Combine(ClusterDirectory, "PG_VERSION"))) InitDb();
            if (RunningOutdated()) Stop();
            port = RunningPort() ?? Start();
        }
        var admin = ConnectionString(port, "postgres");
        await EnsureDatabaseAsync(admin, database, cancellationToken);
        return ConnectionString(port, database);
    }

    public void Stop()
    {
        if (RunningPort() is null) return;
        Run(PgBin("pg_ctl"), "stop", "-D", ClusterDirectory, "-m", "fast", "-w");
    }

    public static string ConnectionString(int port, string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = "postgres", Database = database, MaxPoolSize = 50 }.ConnectionString;

    private void InitDb()
    {
        if (Directory.Exists(ClusterDirectory)) Directory.Delete(ClusterDirectory, recursive: true);
        Directory.CreateDirectory(ClusterDirectory);
        if (RunningAsRoot)
        {
            if (!OperatingSystem.IsWindows()) MakeTraversable(ClusterDirectory);
            Run("chown", "-R", "postgres:postgres", ClusterDirectory);
        }
        Run(PgBin("initdb"), "-D", ClusterDirectory, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8");
    }

    private int Start()
    {
        var port = KeptPort();
        var options = "-p " + port.ToString(CultureInfo.InvariantCulture) + " " + string.Join(' ', ServerSettings.Select(s => "-c " + s));
        if (RunningAsRoot && !File.Exists(LogFile))
        {
            File.WriteAllText(LogFile, "");
            Run("chown", "postgres:postgres", LogFile);
        }
        Run(PgBin("pg_ctl"), ["start", "-D", ClusterDirectory, "-w", "-t", "120", "-l", LogFile, "-o", options], MallocSettings);
        return RunningPort() ?? throw new InvalidOperationException($"PostgreSQL did not start; see {LogFile}");
    }

    private string PortFile => Path.Combine(Path.GetDirectoryName(ClusterDirectory)!, "pg.port");

    /// <summary>
    /// The port the cluster had last time when it is free, else a new free one, remembered: a restart (srd db stop and
    /// start, an apt upgrade that restarts it) keeps the port, so a running server's connections find it again.
    /// </summary>
    private int KeptPort()
    {
        if (File.Exists(PortFile) && int.TryParse(File.ReadAllText(PortFile).Trim(), out var kept) && PortIsFree(kept)) return kept;
        var port = FreePort();
        File.WriteAllText(PortFile, port.ToString(CultureInfo.InvariantCulture));
        return port;
    }

    private static bool PortIsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The port of the running postmaster (line 4 of postmaster.pid), or null when none runs.</summary>
    private int? RunningPort() => Running()?.Port;

    private (int Pid, int Port)? Running()
    {
        var pidFile = Path.Combine(ClusterDirectory, "postmaster.pid");
        if (!File.Exists(pidFile)) return null;
        var lines = File.ReadAllLines(pidFile);
        if (lines.Length < 4 || !int.TryParse(lines[0], out var pid) || !int.TryParse(lines[3], out var port)) return null;
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited) return null;
        }
        catch (ArgumentException)
        {
            return null; // stale pid file after a crash: pg_ctl start cleans it up
        }
        return (pid, port);
    }

    /// <summary>
    /// True when the running postmaster's program was replaced on disk (an apt upgrade of postgresql-15 while it ran):
    /// its new backends would load the new version's libraries and fail ("undefined symbol" in plpgsql.so), so it is
    /// restarted on the installed version.
    /// </summary>
    private bool RunningOutdated()
    {
        if (!OperatingSystem.IsLinux() || Running() is not { } running) return false;
        try { return File.ResolveLinkTarget($"/proc/{running.Pid}/exe", returnFinalTarget: false)?.FullName.EndsWith(" (deleted)", StringComparison.Ordinal) == true; }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    private static async Task EnsureDatabaseAsync(string adminConnectionString, string database, CancellationToken cancellationToken)
    {
        // Unpooled: a pooled connection from before a restart of the cluster would be dead.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(adminConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = database } } };
        if (await exists.ExecuteScalarAsync(cancellationToken) is not null) return;
        await using var create = new NpgsqlCommand($"CREATE DATABASE {QuoteIdentifier(database)}", connection);
        try { await create.ExecuteNonQueryAsync(cancellationToken); }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation) { }
    }

    public static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    private async Task<IDisposable> AcquireLockAsync(CancellationToken cancellationToken)
    {
        var lockPath = Path.Combine(Path.GetDirectoryName(ClusterDirectory)!, "pg.lock");
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            try { return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (DateTime.UtcNow < deadline) { await Task.Delay(200, cancellationToken); }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool RunningAsRoot => !OperatingSystem.IsWindows() && Environment.UserName == "root";

    /// <summary>The postgres user must reach the cluster folder: give every ancestor the traverse (x) bit.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void MakeTraversable(string directory)
    {
        for (var dir = new DirectoryInfo(directory).Parent; dir is not null; dir = dir.Parent)
        {
            var mode = File.GetUnixFileMode(dir.FullName);
            if (!mode.HasFlag(UnixFileMode.OtherExecute)) File.SetUnixFileMode(dir.FullName, mode | UnixFileMode.OtherExecute);
        }
    }

    private static string PgBinDirectoryRoot =>
        Environment.GetEnvironmentVariable("SR_PG_BIN") is { Length: > 0 } configured ? configured : "/usr/lib/postgresql";

    internal static string PgBin(string tool)
    {
        var configured = Environment.GetEnvironmentVariable("SR_PG_BIN");
        if (!string.IsNullOrEmpty(configured)) return Path.Combine(configured, tool);
        var installed = Directory.Exists(PgBinDirectoryRoot)
            ? Directory.GetDirectories(PgBinDirectoryRoot).OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin", tool)).FirstOrDefault(File.Exists)
            : null;
        return installed ?? throw new InvalidOperationException(
            $"PostgreSQL's {tool} was not found under /usr/lib/postgresql; install postgresql-15 and postgresql-15-postgis-3 (tools/run does), or set SR_PG to an existing database.");
    }

    /// <summary>
    /// glibc's allocator in the PostgreSQL processes: a tile of a whole city is a few hundred KB made from many
    /// allocations, and by default every query gave that memory back to the kernel and faulted it in again (perf: page
    /// faults were a sixth of a z10 tile's time). Backends now keep up to 32 MiB of freed heap.
    /// </summary>
    private static readonly Dictionary<string, string> MallocSettings = new()
    {
        ["MALLOC_MMAP_THRESHOLD_"] = (16 << 20).ToString(CultureInfo.InvariantCulture),
        ["MALLOC_TRIM_THRESHOLD_"] = (32 << 20).ToString(CultureInfo.InvariantCulture),
        ["MALLOC_TOP_PAD_"] = (8 << 20).ToString(CultureInfo.InvariantCulture),
    };

    private static void Run(string file, params string[] arguments) => Run(file, arguments, new Dictionary<string, string>());

    private static void Run(string file, string[] arguments, IReadOnlyDictionary<string, string> environment)
    {
        // PostgreSQL's own programs refuse root: run them as the postgres user.
        var asPostgres = RunningAsRoot && file.StartsWith(PgBinDirectoryRoot, StringComparison.Ordinal);
        var start = new ProcessStartInfo(asPostgres ? "runuser" : file) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (asPostgres) foreach (var a in new[] { "-u", "postgres", "--", file }) start.ArgumentList.Add(a);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', arguments)} failed ({process.ExitCode}): {errors.Trim()} {output.Result.Trim()}");
    }
}
