using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.OgcFeatures;

/// <summary>OWSLib, the Python OGC client, against /ogc: collections, queryables, paging, q= search, filter=, and its cql= POST.</summary>
[Collection(PostgisCollection.Name)]
public sealed class OwsLibTests(ServerFixture server)
{
    private async Task<long> CountAsync(string sql, long layer, params object[] more)
    {
        await using var command = server.Database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new() { Value = layer });
        foreach (var value in more) command.Parameters.Add(new() { Value = value });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task OWSLib_lists_searches_filters_and_is_told_how_to_send_its_cql_query()
    {
        await server.Admin.CreateCityAsync("owslib");
        var layer = (await server.Admin.UploadAsync("owslib", SharedData.Path("pune/pune-electoral-wards_2022.geojson"), "ward", ("name", "wards"))
            .CreatedLayerAsync()).GetProperty("id").GetInt64();

        var seen = await OwsLibClient.QueryAsync(server.BaseAddress, "owslib__wards", "nagar, PETH", "Name1", "wardnum > 50");

        Assert.Contains("owslib__wards", seen.GetProperty("collections").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(["Name1", "Name2", "geometry", "origin", "wardnum"], seen.GetProperty("queryables").EnumerateArray().Select(q => q.GetString()!).Order(StringComparer.Ordinal));
        var first = seen.GetProperty("firstPage");
        Assert.Equal(5, first.GetProperty("returned").GetInt32());
        Assert.Equal(58, first.GetProperty("matched").GetInt32());
        Assert.True(first.GetProperty("next").GetBoolean());

        // q: a ward matches when any of its text fields holds either term, in any case; counted here independently.
        var expected = await CountAsync("""
            SELECT count(*) FROM features f WHERE f.layer_id = $1 AND EXISTS (
                SELECT 1 FROM jsonb_each(f.attributes) e
                WHERE jsonb_typeof(e.value) = 'string' AND (lower(e.value #>> '{}') LIKE '%nagar%' OR lower(e.value #>> '{}') LIKE '%peth%'))
            """, layer);
        Assert.InRange(expected, 2, 57);
        var searched = seen.GetProperty("searched");
        Assert.Equal(expected, searched.GetProperty("matched").GetInt64());
        Assert.Equal(expected, searched.GetProperty("values").GetArrayLength());

        Assert.Equal(await CountAsync("SELECT count(*) FROM features WHERE layer_id = $1 AND (attributes->>'wardnum')::int > 50", layer),
            seen.GetProperty("filtered").GetProperty("matched").GetInt64());

        // cql= (a CQL-JSON document POSTed to /items): a 400 that says what to send, not "Not signed in".
        var posted = seen.GetProperty("posted");
        Assert.True(posted.GetProperty("refused").GetBoolean());
        var answer = posted.GetProperty("answer");
        Assert.Equal(400, answer.GetProperty("status").GetInt32());
        Assert.Contains("filter-lang=cql2-text", answer.GetProperty("detail").GetString());
        Assert.Contains(server.Requests, r => r.StartsWith("POST /ogc/collections/owslib__wards/items", StringComparison.Ordinal));
    }
}
