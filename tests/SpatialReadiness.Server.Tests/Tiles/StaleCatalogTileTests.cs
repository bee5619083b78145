using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Npgsql;
using SpatialReadiness.PostGis.Tiles;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Tiles;

/// <summary>
/// A tile's ETag names the layer version it was made from, even when the server's catalog is behind: another server
/// committed a new version and its layer_changed has not arrived here yet. The change is made behind the server's back
/// (SQL, no NOTIFY), so its catalog keeps the old version until a tile finds out. The Mumbai slums stand in for a dense
/// layer (told the server they are 100,000, as DensityTileTests does), so low zooms draw density cells.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed partial class StaleCatalogTileTests(ServerFixture server)
{
    private async Task<long> DenseSlumsAsync(string city)
    {
        await server.Admin.CreateCityAsync(city);
        var id = (await server.Admin.UploadAsync(city, SharedData.Path("mumbai/slumClusters.geojson"), "slum", ("name", "slums")).CreatedLayerAsync()).GetProperty("id").GetInt64();
        await Execute("UPDATE layers SET feature_count = $2 WHERE id = $1", id, TileLayer.DenseFromFeatures);
        return id;
    }

    /// <summary>What another server's import would commit, without its notification: nine slums in ten gone, the version one up.</summary>
    private async Task<int> ChangeBehindTheServersBackAsync(long layer)
    {
        await using var connection = await server.Database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var delete = new NpgsqlCommand("DELETE FROM features WHERE layer_id = $1 AND id % 10 <> 0", connection, transaction))
        {
            delete.Parameters.Add(new() { Value = layer });
            await delete.ExecuteNonQueryAsync();
        }
        var version = await NextVersionAsync(connection, transaction, layer, "");
        await transaction.CommitAsync();
        return version;
    }

    /// <summary>Puts the layer's version one up (with its layer_versions row), setting <paramref name="set"/> as well when given.</summary>
    private static async Task<int> NextVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long layer, string set)
    {
        await using var bump = new NpgsqlCommand($"""
            WITH layer AS (UPDATE layers SET {set} version = version + 1 WHERE id = $1 RETURNING id, version)
            INSERT INTO layer_versions (layer_id, version, licence, source_file, source_sha256, source_bytes, format, crs_received, feature_count, imported_by, organisation, change)
            SELECT v.layer_id, layer.version, v.licence, v.source_file, v.source_sha256, v.source_bytes, v.format, v.crs_received, v.feature_count, v.imported_by, v.organisation, v.change
            FROM layer JOIN layer_versions v ON v.layer_id = layer.id AND v.version = layer.version - 1
            RETURNING version
            """, connection, transaction);
        bump.Parameters.Add(new() { Value = layer });
        return (int)(await bump.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task A_tile_of_a_layer_made_sensitive_behind_the_catalog_answers_anonymous_readers_like_a_layer_that_does_not_exist()
    {
        var layer = await DenseSlumsAsync("stale-sensitive");
        var (lon, lat) = await KeptSlumAsync(layer);
        var (_, x, y) = VectorTiles.TileOf(lon, lat, 14);
        var (_, x13, y13) = VectorTiles.TileOf(lon, lat, 13);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync($"/tiles/{layer}/13/{x13}/{y13}")).StatusCode); // the catalog holds the public version

        await using (var connection = await server.Database.DataSource.OpenConnectionAsync())
            await NextVersionAsync(connection, null, layer, "sensitive = true,");
        var withheld = await server.Client.GetAsync($"/tiles/{layer}/14/{x}/{y}");
        var missing = await server.Client.GetAsync($"/tiles/{long.MaxValue}/14/{x}/{y}");
        Assert.Equal(HttpStatusCode.NotFound, withheld.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        // No trace of the tile the first look-up was about to send: its ETag would name the layer and its version.
        Assert.Null(withheld.Headers.ETag);
        Assert.Equal(missing.Headers.CacheControl, withheld.Headers.CacheControl);
        Assert.Equal(missing.Headers.Vary, withheld.Headers.Vary);
    }

    [Fact]
    public async Task A_density_tile_made_after_a_change_the_catalog_has_not_heard_of_counts_the_new_version_under_its_tag()
    {
        var layer = await DenseSlumsAsync("stale-density");
        var counts = new Dictionary<int, long> { [1] = await Scalar("SELECT count(*) FROM features WHERE layer_id = $1 AND NOT ST_IsEmpty(geom_3857)", layer) };
        // Mumbai lies inside one tile at z6 and at z5: each tile counts every slum of the version it names.
        var (_, x6, y6) = VectorTiles.TileOf(72.88, 19.08, 6);
        var (_, x5, y5) = VectorTiles.TileOf(72.88, 19.08, 5);
        Assert.Equal((1, counts[1]), await DensityTileAsync(layer, 6, x6, y6)); // the catalog now holds version 1, its cells are counted

        var next = await ChangeBehindTheServersBackAsync(layer);
        counts[next] = await Scalar("SELECT count(*) FROM features WHERE layer_id = $1 AND NOT ST_IsEmpty(geom_3857)", layer);
        Assert.True(counts[next] < counts[1] / 5);

        var (version, total) = await DensityTileAsync(layer, 5, x5, y5);
        Assert.Equal((next, counts[next]), (version, total));
        Assert.Equal((next, counts[next]), await DensityTileAsync(layer, 6, x6, y6)); // and the tile of version 1 is not served any more
    }

    [Fact]
    public async Task A_footprint_tile_made_after_a_change_the_catalog_has_not_heard_of_holds_the_new_version_under_its_tag()
    {
        var layer = await DenseSlumsAsync("stale-footprints");
        var (lon, lat) = await KeptSlumAsync(layer);
        var (_, x, y) = VectorTiles.TileOf(lon, lat, 14);
        var (_, x13, y13) = VectorTiles.TileOf(lon, lat, 13);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync($"/tiles/{layer}/13/{x13}/{y13}")).StatusCode); // the catalog holds version 1

        var next = await ChangeBehindTheServersBackAsync(layer);
        var response = await server.Client.GetAsync($"/tiles/{layer}/14/{x}/{y}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(next, VersionOf(response, layer));
        var ids = VectorTiles.Decode(await response.Content.ReadAsByteArrayAsync(), 14, x, y).Layers.Single(l => l.Name == "slums").Features
            .Select(f => Convert.ToInt64(f.Attributes["id"], CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(ids);
        Assert.All(ids, id => Assert.Equal(0, id % 10)); // only slums the new version kept
    }

    /// <summary>The version the tile's ETag names and the number of slums its density cells count.</summary>
    private async Task<(int Version, long Total)> DensityTileAsync(long layer, int z, int x, int y)
    {
        var response = await server.Client.GetAsync($"/tiles/{layer}/{z}/{x}/{y}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cells = VectorTiles.Decode(await response.Content.ReadAsByteArrayAsync(), z, x, y).Layers.Single(l => l.Name == "slums_density");
        return (VersionOf(response, layer), cells.Features.Sum(f => Convert.ToInt64(f.Attributes["features"], CultureInfo.InvariantCulture)));
    }

    private static int VersionOf(HttpResponseMessage response, long layer)
    {
        var tag = response.Headers.ETag!.Tag;
        var match = LayerTag().Match(tag);
        Assert.True(match.Success && match.Groups["layer"].Value == layer.ToString(CultureInfo.InvariantCulture), tag);
        return int.Parse(match.Groups["version"].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^""l(?<layer>\d+)v(?<version>\d+)-")]
    private static partial Regex LayerTag();

    /// <summary>A point inside a slum that the change keeps.</summary>
    private async Task<(double Lon, double Lat)> KeptSlumAsync(long layer)
    {
        await using var command = server.Database.DataSource.CreateCommand(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM features WHERE layer_id = $1 AND id % 10 = 0 AND ST_IsValid(geom) AND NOT ST_IsEmpty(geom) ORDER BY id LIMIT 1) s");
        command.Parameters.Add(new() { Value = layer });
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetDouble(0), reader.GetDouble(1));
    }

    private async Task Execute(string sql, params object[] parameters) => await Scalar(sql, parameters);

    private async Task<long> Scalar(string sql, params object[] parameters)
    {
        await using var command = server.Database.DataSource.CreateCommand(sql);
        foreach (var value in parameters) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return await command.ExecuteScalarAsync() is { } result and not DBNull ? Convert.ToInt64(result, CultureInfo.InvariantCulture) : 0;
    }
}
