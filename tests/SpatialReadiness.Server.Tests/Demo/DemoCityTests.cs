using SpatialReadiness.Cli.Demo;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Demo;

[Collection(PostgisCollection.Name)]
public sealed class DemoCityTests(ServerFixture server)
{
    [Fact]
    public void The_demo_city_is_the_same_bytes_on_every_run()
    {
        var (a, b) = (Gdal.TempDirectory(), Gdal.TempDirectory());
        var layers = DemoCity.Write(a);
        DemoCity.Write(b);
        Assert.Equal(["boundary", "ward", "slum", "asset"], layers.Select(l => l.Kind));
        foreach (var layer in layers)
            Assert.Equal(File.ReadAllBytes(Path.Combine(a, layer.FileName)), File.ReadAllBytes(Path.Combine(b, layer.FileName)));
    }

    [Fact]
    public async Task Srd_demo_loads_the_city_with_its_documented_defects_and_is_idempotent()
    {
        var directory = Gdal.TempDirectory();
        var first = await SrdProcess.RunAsync(server.Database.ConnectionString, "demo", "--dir", directory);
        Assert.True(first.ExitCode == 0, first.Errors);
        var again = await SrdProcess.RunAsync(server.Database.ConnectionString, "demo", "--dir", directory);
        Assert.Equal(4, again.Output.Split('\n').Count(l => l.Contains("is up to date")));

        var city = (await server.Client.GetJsonAsync("/api/cities")).EnumerateArray().Single(c => c.GetProperty("id").GetString() == DemoCity.Id);
        Assert.Equal(4, city.GetProperty("layerCount").GetInt32());
        Assert.True(city.GetProperty("hasBoundary").GetBoolean());

        var db = server.Database;
        // Wards tile the boundary: their union covers it to within a square metre.
        Assert.InRange(await db.ScalarAsync<double>("""
            SELECT abs(ST_Area(ST_Union(f.geom)::geography) - ST_Area(c.boundary::geography))
            FROM features f JOIN layers l ON l.id = f.layer_id JOIN cities c ON c.id = l.city_id
            WHERE l.city_id = $1 AND l.kind = 'ward' GROUP BY c.boundary
            """, DemoCity.Id), 0, 1);
        // Ward 12 overlaps ward 11 (OVERLAP), and only those two.
        Assert.InRange(await db.ScalarAsync<double>("""
            SELECT sum(ST_Area(ST_Intersection(a.geom, b.geom)::geography)) FROM features a JOIN features b ON a.layer_id = b.layer_id AND a.id < b.id
            JOIN layers l ON l.id = a.layer_id WHERE l.city_id = $1 AND l.kind = 'ward' AND ST_Intersects(a.geom, b.geom)
            """, DemoCity.Id), 3_000, 6_000);
        // One invalid slum (a bow-tie), kept as received.
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT invalid_count FROM layers WHERE city_id = $1 AND kind = 'slum'", DemoCity.Id));
        // One slum partly outside the boundary, and one asset at null island.
        Assert.Equal("DS-010", await db.ScalarAsync<string>("""
            SELECT f.attributes->>'slum_id' FROM features f JOIN layers l ON l.id = f.layer_id JOIN cities c ON c.id = l.city_id
            WHERE l.city_id = $1 AND l.kind = 'slum' AND ST_IsValid(f.geom) AND NOT ST_Within(f.geom, c.boundary)
            """, DemoCity.Id));
        Assert.Equal("A-0050", await db.ScalarAsync<string>("""
            SELECT f.attributes->>'asset_id' FROM features f JOIN layers l ON l.id = f.layer_id
            WHERE l.city_id = $1 AND l.kind = 'asset' AND f.geom && ST_MakeEnvelope(-0.000001, -0.000001, 0.000001, 0.000001, 4326)
            """, DemoCity.Id));
    }
}
