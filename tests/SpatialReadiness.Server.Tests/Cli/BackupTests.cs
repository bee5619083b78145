using System.Text;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Cli;

/// <summary>
/// srd db backup / restore on a database of its own: what was there at the backup comes back (layers, features and
/// their edits history, accounts), what came after is gone, and a file that is not a backup changes nothing.
/// </summary>
public sealed class BackupTests : IAsyncLifetime
{
    private readonly PostgisFixture _database = new();
    private string Db => _database.ConnectionString;

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    [Fact]
    public async Task A_backup_restored_brings_back_exactly_what_was_there()
    {
        var folder = Gdal.TempDirectory();
        Assert.Equal(0, (await SrdProcess.RunAsync(Db, "city", "add", "backuppur", "--name", "Backuppur")).ExitCode);
        var wards = Path.Combine(folder, "wards.geojson");
        await File.WriteAllTextAsync(wards, Squares(3));
        Assert.Equal(0, (await SrdProcess.RunAsync(Db, "import", wards, "--city", "backuppur", "--kind", "ward", "--licence", "CC0", "--name", "wards")).ExitCode);
        Assert.Equal(0, (await SrdProcess.RunAsync(Db, "users", "add", "backup-asha", "--role", "viewer")).ExitCode);
        var before = await SnapshotAsync();

        var file = Path.Combine(folder, "city.dump");
        var (exit, output, errors) = await SrdProcess.RunAsync(Db, "db", "backup", file);
        Assert.True(exit == 0, errors);
        Assert.Contains("keys", output); // reminds the operator of the data protection keys
        Assert.False(File.Exists(file + ".partial"));

        // After the backup: a new version of the layer, another city, a user gone.
        await File.WriteAllTextAsync(wards, Squares(7));
        Assert.Equal(0, (await SrdProcess.RunAsync(Db, "import", wards, "--city", "backuppur", "--kind", "ward", "--licence", "CC0", "--name", "wards")).ExitCode);
        Assert.Equal(0, (await SrdProcess.RunAsync(Db, "city", "add", "laterpur", "--name", "Laterpur")).ExitCode);
        await _database.ScalarAsync<object>("DELETE FROM users WHERE name = 'backup-asha' RETURNING 1");
        Assert.NotEqual(before, await SnapshotAsync());

        (exit, _, errors) = await SrdProcess.RunAsync(Db, "db", "restore", file);
        Assert.True(exit == 0, errors);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Restoring_a_file_that_is_not_a_backup_is_refused_and_changes_nothing()
    {
        Assert.Equal(0, (await SrdProcess.RunAsync(Db, "city", "add", "keptpur", "--name", "Keptpur")).ExitCode);
        var before = await SnapshotAsync();
        var file = Path.Combine(Gdal.TempDirectory(), "not-a-dump.sql");
        await File.WriteAllTextAsync(file, "DROP TABLE cities;");

        var (exit, output, errors) = await SrdProcess.RunAsync(Db, "db", "restore", file);
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains("not a backup", errors);
        Assert.Equal(2, (await SrdProcess.RunAsync(Db, "db", "restore", Path.Combine(Gdal.TempDirectory(), "missing.dump"))).ExitCode);
        Assert.Equal(before, await SnapshotAsync());
    }

    /// <summary>What a reader would compare: cities, layers with versions and counts, every feature's geometry and attributes, users.</summary>
    private async Task<string> SnapshotAsync() => await _database.ScalarAsync<string>("""
        SELECT concat_ws(' | ',
          (SELECT string_agg(id, ',' ORDER BY id) FROM cities),
          (SELECT string_agg(concat(city_id, '/', name, ' v', version, ' n', feature_count), ',' ORDER BY id) FROM layers),
          (SELECT md5(string_agg(concat(ST_AsText(geom), attributes::text), ',' ORDER BY layer_id, ordinal)) FROM features),
          (SELECT string_agg(name, ',' ORDER BY name) FROM users))
        """);

    private static string Squares(int count)
    {
        var features = Enumerable.Range(0, count).Select(i =>
        {
            var west = 73.80013 + i * 0.01;
            var ring = $"[[{west},18.50011],[{west + 0.005},18.50011],[{west + 0.005},18.51013],[{west},18.51013],[{west},18.50011]]";
            return "{\"type\":\"Feature\",\"properties\":{\"ward_no\":\"" + (i + 1) + "\",\"ward_name\":\"W" + (i + 1) + "\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[" + ring + "]}}";
        });
        return new StringBuilder("""{"type":"FeatureCollection","features":[""").AppendJoin(',', features).Append("]}").ToString();
    }
}
