using System.Globalization;
using System.Text;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Cli;

[Collection(PostgisCollection.Name)]
public sealed class SrdTests(ServerFixture server)
{
    private string Db => server.Database.ConnectionString;

    [Fact]
    public async Task Import_from_the_command_line_stores_the_layer_and_says_what_it_did()
    {
        Assert.Equal(0, (await SrdProcess.RunAsync(Db, "city", "add", "chennai-cli", "--name", "Chennai", "--state", "Tamil Nadu")).ExitCode);
        var (exit, output, errors) = await SrdProcess.RunAsync(Db, "import", SharedData.Path("chennai/Wards.kml"),
            "--city", "chennai-cli", "--kind", "ward", "--licence", "CC BY-SA 2.5 IN", "--by", "tester", "--survey-date", "2018-01-01");
        Assert.True(exit == 0, errors);
        Assert.Contains("imported 201 features into chennai-cli/wards v1", output);

        var (_, layers, _) = await SrdProcess.RunAsync(Db, "layers", "--city", "chennai-cli");
        Assert.Contains("Wards.kml by tester", layers);
    }

    [Fact]
    public async Task Bad_input_on_the_command_line_is_one_line_and_a_non_zero_exit()
    {
        await SrdProcess.RunAsync(Db, "city", "add", "cli-bad", "--name", "Bad");
        var file = Path.Combine(Gdal.TempDirectory(), "offices.csv");
        await File.WriteAllTextAsync(file, "name,ward\nOffice,1\n");

        var (exit, output, errors) = await SrdProcess.RunAsync(Db, "import", file, "--city", "cli-bad", "--kind", "asset", "--licence", "CC0");

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        var line = Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("srd: no coordinate columns", line);

        var typo = await SrdProcess.RunAsync(Db, "import", file, "--city", "cli-bad", "--kind", "asset", "--licence", "CC0", "--lisence", "x");
        Assert.Equal(2, typo.ExitCode);
        Assert.Contains("unknown option --lisence", typo.Errors);
    }

    [Fact]
    public async Task Migrations_are_idempotent()
    {
        var (exit, output, _) = await SrdProcess.RunAsync(Db, "db", "migrate");
        Assert.Equal(0, exit);
        Assert.Contains("schema is up to date", output);
    }

    [Fact]
    public async Task A_format_that_needs_GDAL_says_so_when_GDAL_is_not_installed()
    {
        await SrdProcess.RunAsync(Db, "city", "add", "no-gdal", "--name", "No GDAL");
        var gml = Path.Combine(Gdal.TempDirectory(), "wards.gml");
        Gdal.Ogr2Ogr("-f", "GML", gml, SharedData.Path("jaipur/Jaipur_Wards.geojson"));
        var emptyPath = Gdal.TempDirectory(); // a PATH with no ogr2ogr on it

        var (exit, _, errors) = await SrdProcess.RunWithPathAsync(Db, emptyPath, "import", gml, "--city", "no-gdal", "--kind", "ward", "--licence", "CC0");

        Assert.Equal(2, exit);
        Assert.Contains("needs GDAL's ogr2ogr, which is not installed", errors);
        Assert.Contains("apt-get install gdal-bin", errors);
    }

    [Fact]
    public async Task An_import_killed_mid_COPY_leaves_no_partial_layer()
    {
        await SrdProcess.RunAsync(Db, "city", "add", "killed", "--name", "Killed");
        var file = Path.Combine(Gdal.TempDirectory(), "points.csv");
        await using (var writer = new StreamWriter(file, false, new UTF8Encoding(false)))
        {
            await writer.WriteLineAsync("id,lon,lat");
            for (var i = 0; i < 3_000_000; i++)
                await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{i},{73.7 + i % 1000 * 0.0003:0.000000},{18.4 + i / 1000 * 0.0001:0.000000}"));
        }
        var tablesBefore = await server.Database.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname LIKE 'features\\_%'");

        using var process = SrdProcess.Start(Db, "import", file, "--city", "killed", "--kind", "asset", "--licence", "CC0");
        var line = await process.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Contains("features read", line); // the COPY is under way
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();

        // The server notices the dropped connection and rolls the transaction back.
        for (var i = 0; i < 100 && await server.Database.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY features%'") > 0; i++)
            await Task.Delay(100);
        Assert.Equal(0, (await server.Client.GetJsonAsync("/api/cities/killed/layers")).GetArrayLength());
        var job = await server.Database.ScalarAsync<Guid>("SELECT id FROM import_jobs WHERE city_id = 'killed'");
        Assert.Equal("interrupted", (await server.Admin.GetJsonAsync($"/api/imports/{job}")).GetProperty("status").GetString());
        Assert.Equal(tablesBefore, await server.Database.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname LIKE 'features\\_%'"));
    }
}
