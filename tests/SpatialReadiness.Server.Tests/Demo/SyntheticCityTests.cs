using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Demo;

[Collection(PostgisCollection.Name)]
public sealed class SyntheticCityTests(ServerFixture server)
{
    private const string City = "synth-small";

    [Fact]
    public async Task Srd_demo_synthetic_loads_a_deterministic_city_and_is_idempotent()
    {
        var (first, second) = (Gdal.TempDirectory(), Gdal.TempDirectory());
        string[] Arguments(string directory) => ["demo", "--synthetic", "--city", City, "--wards", "20", "--slums", "60", "--assets", "2000", "--dir", directory];

        var load = await SrdProcess.RunAsync(server.Database.ConnectionString, Arguments(first));
        Assert.True(load.ExitCode == 0, load.Errors);
        // Committed first, then the buildings' stored tile geometry filled (polygons; the assets are points).
        Assert.Contains("tile geometry for zooms 6-14: 2,000 features filled in", load.Errors);
        // Generated again elsewhere: the same bytes, so every layer is already up to date.
        var again = await SrdProcess.RunAsync(server.Database.ConnectionString, Arguments(second));
        Assert.True(again.ExitCode == 0, again.Errors);
        Assert.Equal(5, again.Output.Split('\n').Count(l => l.Contains("is up to date")));
        foreach (var file in new[] { "boundary.geojson", "wards.geojson", "slums.geojson", "assets.csv", "buildings.geojson" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(first, file)), File.ReadAllBytes(Path.Combine(second, file)));

        var city = (await server.Client.GetJsonAsync("/api/cities")).EnumerateArray().Single(c => c.GetProperty("id").GetString() == City);
        Assert.Equal(5, city.GetProperty("layerCount").GetInt32());
        Assert.Equal("synth-small (synthetic)", city.GetProperty("name").GetString());
        Assert.True(city.GetProperty("hasBoundary").GetBoolean());
        Task<long> Features(string kind) => server.Database.ScalarAsync<long>("SELECT feature_count FROM layers WHERE city_id = $1 AND kind = $2", City, kind);
        Assert.Equal(20L, await Features("ward"));
        Assert.Equal(60L, await Features("slum"));
        Assert.Equal(2000L + 2, await Features("asset")); // rows 300 and 1300 are written twice
        Assert.Equal(2000L, await Features("building")); // the default size
        // Slum 5 is the one bow-tie of 60.
        Assert.Equal(1L, await server.Database.ScalarAsync<long>("SELECT invalid_count FROM layers WHERE city_id = $1 AND kind = 'slum'", City));
    }

    /// <summary>The benchmark city is only a fair benchmark if the check finds exactly the defects it was made with.</summary>
    [Fact]
    public async Task The_check_finds_exactly_the_defects_the_synthetic_city_was_made_with()
    {
        var load = await SrdProcess.RunAsync(server.Database.ConnectionString,
            "demo", "--synthetic", "--city", "synth-check", "--wards", "20", "--slums", "60", "--assets", "2000", "--buildings", "1000", "--dir", Gdal.TempDirectory());
        Assert.True(load.ExitCode == 0, load.Errors);
        await server.Admin.RunCheckAsync("synth-check");

        var errors = (await server.Client.FindingsAsync("synth-check", "severity=error&limit=1000")).Features()
            .GroupBy(f => $"{f.GetProperty("properties").GetProperty("rule").GetString()} {f.GetProperty("properties").GetProperty("layer").GetString()}")
            .ToDictionary(g => g.Key, g => g.Count());
        var made = new Dictionary<string, int>
        {
            ["OVERLAP wards"] = 2,                  // two pairs of wards, one finding per pair
            ["GEOM_INVALID slums"] = 1,             // slum 5
            ["OUTSIDE_CITY slums"] = 1,             // slum 10
            ["WARD_MISMATCH slums"] = 2,            // slum 15 spans two wards, slum 25 names the wrong one
            ["OUTSIDE_CITY assets"] = 100 + 2,      // every 20th at 0,0; assets 100 and 1100 with lat/lon swapped
            ["LOW_PRECISION assets"] = 100,         // (0, 0) has no decimals
            ["WARD_MISMATCH assets"] = 2,           // assets 200 and 1200 name the wrong ward
            ["DUPLICATE assets"] = 2,               // rows 300 and 1300 written twice
            ["ID_NOT_UNIQUE assets"] = 4,
            ["OVERLAP buildings"] = 10 + 10,        // n % 100 == 7 drawn again 1.2 m off n-1; n % 100 == 13 traced twice (an overlap too)
            ["DUPLICATE buildings"] = 10,           // n % 100 == 13
            ["GEOM_INVALID buildings"] = 10,        // n % 100 == 21 bow-ties
            ["OUTSIDE_CITY buildings"] = 10,        // n % 100 == 34
            ["WARD_MISMATCH buildings"] = 10,       // n % 100 == 45 name the wrong ward
        };
        Assert.Equal(made.OrderBy(p => p.Key), errors.OrderBy(p => p.Key));
    }
}
