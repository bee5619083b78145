using System.Globalization;
using System.Text.Json;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.OData;

/// <summary>
/// What Excel, Power BI and OData libraries do beyond paging, driven with an independent client (Apache Olingo's
/// ts-odatajs under node): look entities up by key in every set, with $select, one property and its $value; count a
/// set with /$count; group and aggregate with $apply; read a layer's own typed set. Answers are compared with the
/// same question asked of PostGIS in SQL, on the real Jaipur wards and Mumbai slums.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class ODataClientTests(ServerFixture server)
{
    private const string City = "od-client";

    /// <summary>The Jaipur wards (77) and Mumbai slums (2542) in their own city, checked once; the ward layer's id.</summary>
    private async Task<long> LoadAsync()
    {
        if (await server.Database.ScalarAsync<long>("SELECT count(*) FROM layers WHERE city_id = $1", City) == 0)
        {
            await server.Admin.CreateCityAsync(City, "OData client city");
            await server.Admin.UploadAsync(City, SharedData.Path("jaipur/Jaipur_Wards.geojson"), "ward", ("name", "wards")).CreatedLayerAsync();
            await server.Admin.UploadAsync(City, SharedData.Path("mumbai/slumClusters.geojson"), "slum", ("name", "slums")).CreatedLayerAsync();
            await server.Admin.RunCheckAsync(City);
        }
        return await server.Database.ScalarAsync<long>("SELECT id FROM layers WHERE city_id = $1 AND name = 'wards'", City);
    }

    [Fact]
    public async Task Every_set_looks_entities_up_by_key_as_one_object_with_select_a_property_and_its_value()
    {
        var wards = await LoadAsync();
        var ward = await server.Database.ScalarAsync<long>("SELECT min(id) FROM features WHERE layer_id = $1", wards);
        var wardNo = await server.Database.ScalarAsync<string>("SELECT attributes->>'WARD_NO' FROM features WHERE id = $1", ward);
        var slum = await server.Database.ScalarAsync<long>("SELECT max(f.id) FROM features f JOIN layers l ON l.id = f.layer_id WHERE l.city_id = $1 AND l.name = 'slums'", City);
        var finding = await server.Database.ScalarAsync<long>(
            "SELECT min(f.id) FROM findings f JOIN check_runs r ON r.id = f.run_id WHERE r.city_id = $1", City);
        var urls = new[]
        {
            $"Wards({ward})", $"Slums({slum})", $"Features({ward})", $"Layers({wards})", $"Cities('{City}')", $"ReadinessScores('{City}')",
            $"Findings({finding})", $"od_client_wards({ward})", $"Wards({ward})?$select=ward_no,AreaM2", $"od_client_wards({ward})?$select=WARD_NO",
            $"Wards({ward})/ward_no", $"Wards({ward})/ward_no/$value", $"Cities('{City}')/Name/$value", $"Features({ward})/ZONE_NAME",
            "Wards(1)?$filter=true", "Wards(999999999)", "Cities('no-such-city')",
        };
        var read = await ODataClient.ReadAsync(server.BaseAddress, urls);

        foreach (var (url, id) in new[] { (urls[0], ward), (urls[1], slum), (urls[2], ward), (urls[7], ward) })
        {
            var entity = read.Data(url);
            Assert.Equal(id, entity.GetProperty("Id").GetInt64());
            Assert.EndsWith("/$entity", entity.GetProperty("@odata.context").GetString());
            Assert.False(entity.TryGetProperty("value", out _), url);
        }
        Assert.Equal(wardNo, read.Data(urls[0]).GetProperty("ward_no").GetString());
        Assert.Equal("Wards", read.Data(urls[0]).GetProperty("@odata.context").GetString()!.Split('#')[1].Split('/')[0]);
        Assert.Equal(wards, read.Data(urls[3]).GetProperty("Id").GetInt64());
        Assert.Equal("wards", read.Data(urls[3]).GetProperty("Name").GetString());
        Assert.Equal("OData client city", read.Data(urls[4]).GetProperty("Name").GetString());
        Assert.InRange(read.Data(urls[5]).GetProperty("Srs100").GetDouble(), 0, 100);
        Assert.Equal(finding, read.Data(urls[6]).GetProperty("Id").GetInt64());
        // The layer's own set: its fields under their own names and types (WARD_NO is text in the file, OBJECTID whole numbers).
        Assert.Equal(wardNo, read.Data(urls[7]).GetProperty("WARD_NO").GetString());
        Assert.Equal(JsonValueKind.Number, read.Data(urls[7]).GetProperty("OBJECTID").ValueKind);

        Assert.Equal(["@odata.context", "Id", "ward_no", "AreaM2"], read.Data(urls[8]).EnumerateObject().Select(p => p.Name));
        Assert.Equal(["@odata.context", "Id", "WARD_NO"], read.Data(urls[9]).EnumerateObject().Select(p => p.Name));
        Assert.Equal(wardNo, read.Data(urls[10]).GetProperty("value").GetString());
        Assert.Equal(wardNo, read.Data(urls[11]).GetString());
        Assert.Equal("OData client city", read.Data(urls[12]).GetString());
        Assert.Equal(await server.Database.ScalarAsync<string>("SELECT attributes->>'ZONE_NAME' FROM features WHERE id = $1", ward),
            read.Data(urls[13]).GetProperty("value").GetString());
        Assert.Contains("404", read.Error("Wards(999999999)"));
        Assert.Contains("404", read.Error("Cities('no-such-city')"));
    }

    [Fact]
    public async Task Count_of_a_set_is_plain_text_and_honours_filter_and_search()
    {
        var wards = await LoadAsync();
        var urls = new[]
        {
            "Wards/$count", $"Wards/$count?$filter=City eq '{City}'", $"od_client_wards/$count?$filter=OBJECTID gt 40",
            $"od_client_wards/$count?$search=MAHAL", "od_client_wards/$count?$search=mahal OR \"kishan pole\"", "od_client_slums/$count?$top=3",
        };
        var read = await ODataClient.ReadAsync(server.BaseAddress, urls);

        long Count(string url) => long.Parse(read.Data(url).GetString()!, CultureInfo.InvariantCulture);
        Assert.Equal(await server.Database.ScalarAsync<long>("SELECT count(*) FROM features f JOIN layers l ON l.id = f.layer_id WHERE l.kind = 'ward' AND NOT l.sensitive"), Count(urls[0]));
        Assert.Equal(77, Count(urls[1]));
        Assert.Equal(await server.Database.ScalarAsync<long>("SELECT count(*) FROM features WHERE layer_id = $1 AND (attributes->>'OBJECTID')::int > 40", wards), Count(urls[2]));
        // $search looks in the text fields (WARD_NO, ZONE_NAME, AC_NO, AC), ignoring case; a quoted phrase is one term.
        const string search = "SELECT count(*) FROM features WHERE layer_id = $1 AND EXISTS (SELECT FROM jsonb_each_text(attributes) e "
                              + "WHERE jsonb_typeof(attributes->e.key) = 'string' AND (e.value ILIKE '%mahal%' OR e.value ILIKE $2))";
        var mahal = await server.Database.ScalarAsync<long>(search, wards, "%mahal%");
        Assert.InRange(mahal, 1, 76);
        Assert.Equal(mahal, Count(urls[3]));
        Assert.Equal(await server.Database.ScalarAsync<long>(search, wards, "%kishan pole%"), Count(urls[4]));
        Assert.True(Count(urls[4]) > mahal);
        Assert.Equal(2542, Count(urls[5])); // $top does not cut a count
    }

    [Fact]
    public async Task Apply_groupby_and_aggregate_give_what_the_same_SQL_gives()
    {
        var wards = await LoadAsync();
        const string url = "od_client_wards?$apply=groupby((ZONE_NAME),aggregate(Shape_Area with sum as Area,OBJECTID with min as First,"
                           + "OBJECTID with max as Last,AC with countdistinct as Constituencies,$count as Wards))&$orderby=Wards desc,ZONE_NAME&$count=true";
        var total = $"Wards?$apply=filter(City eq '{City}')/aggregate($count as N,AreaM2 with average as MeanArea)";
        var read = await ODataClient.ReadAsync(server.BaseAddress, [url, total, "Findings?$apply=groupby((Rule,Severity),aggregate($count as N))"]);

        var groups = read.Data(url);
        var expected = new List<(string Zone, double Area, long First, long Last, long Constituencies, long Wards)>();
        await using (var command = server.Database.DataSource.CreateCommand("""
            SELECT attributes->>'ZONE_NAME', sum((attributes->>'Shape_Area')::float8), min((attributes->>'OBJECTID')::int), max((attributes->>'OBJECTID')::int),
                   count(DISTINCT attributes->>'AC'), count(*)
            FROM features WHERE layer_id = $1 GROUP BY 1 ORDER BY 6 DESC, 1
            """))
        {
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = wards });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                expected.Add((reader.GetString(0), reader.GetDouble(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt64(4), reader.GetInt64(5)));
        }
        Assert.InRange(expected.Count, 3, 76);
        Assert.Equal(expected.Count, groups.GetProperty("@odata.count").GetInt64());
        var actual = groups.GetProperty("value").EnumerateArray().ToList();
        Assert.Equal(expected.Select(e => e.Zone), actual.Select(g => g.GetProperty("ZONE_NAME").GetString()));
        Assert.Equal(expected.Select(e => e.Wards), actual.Select(g => g.GetProperty("Wards").GetInt64()));
        Assert.Equal(expected.Select(e => e.First), actual.Select(g => g.GetProperty("First").GetInt64()));
        Assert.Equal(expected.Select(e => e.Last), actual.Select(g => g.GetProperty("Last").GetInt64()));
        Assert.Equal(expected.Select(e => e.Constituencies), actual.Select(g => g.GetProperty("Constituencies").GetInt64()));
        foreach (var (e, g) in expected.Zip(actual)) Assert.Equal(e.Area, g.GetProperty("Area").GetDouble(), 1e-9);

        var all = read.Data(total).GetProperty("value").EnumerateArray().Single();
        Assert.Equal(77, all.GetProperty("N").GetInt64());
        Assert.Equal(await server.Database.ScalarAsync<double>("SELECT avg(ST_Area(geom::geography)) FROM features WHERE layer_id = $1", wards),
            all.GetProperty("MeanArea").GetDouble(), 1e-6);
        var findings = read.Data("Findings?$apply=groupby((Rule,Severity),aggregate($count as N))").GetProperty("value").EnumerateArray().ToList();
        Assert.Equal(await server.Database.ScalarAsync<long>("SELECT count(*) FROM (SELECT DISTINCT rule, severity FROM findings) t"), findings.Count);
    }

    /// <summary>Random groupings, aggregates and filters over the wards' own set, each compared with the SQL that means the same.</summary>
    [Fact]
    public async Task Random_groupings_and_aggregates_agree_with_SQL()
    {
        var wards = await LoadAsync();
        var random = new Random(1515);
        string?[] groups = [null, "ZONE_NAME", "AC", "AC_NO"];
        (string Field, string Sql, bool Numeric)[] columns =
        [
            ("OBJECTID", "(attributes->>'OBJECTID')::int", true), ("Shape_Leng", "(attributes->>'Shape_Leng')::float8", true),
            ("Shape_Area", "(attributes->>'Shape_Area')::float8", true), ("WARD_NO", "(attributes->>'WARD_NO')", false),
        ];
        for (var trial = 0; trial < 25; trial++)
        {
            var group = groups[random.Next(groups.Length)];
            var above = random.Next(0, 70);
            var aggregates = Enumerable.Range(0, random.Next(1, 4)).Select(i =>
            {
                var column = columns[random.Next(columns.Length)];
                string[] methods = column.Numeric ? ["sum", "average", "min", "max", "countdistinct", "$count"] : ["min", "max", "countdistinct", "$count"];
                return (Alias: $"A{i}", Method: methods[random.Next(methods.Length)], Column: column);
            }).ToList();
            var odata = string.Join(",", aggregates.Select(a => a.Method == "$count" ? $"$count as {a.Alias}" : $"{a.Column.Field} with {a.Method} as {a.Alias}"));
            var url = $"/odata/od_client_wards?$apply=filter(OBJECTID gt {above})/" + (group is null ? $"aggregate({odata})" : $"groupby(({group}),aggregate({odata}))&$orderby={group}");
            var sql = "SELECT " + (group is null ? "" : $"attributes->>'{group}', ") + string.Join(", ", aggregates.Select(a => a.Method switch
            {
                "$count" => "count(*)::float8::text",
                "sum" => $"sum({a.Column.Sql})::float8::text",
                "average" => $"avg({a.Column.Sql})::float8::text",
                "countdistinct" => $"count(DISTINCT {a.Column.Sql})::float8::text",
                _ => $"{(a.Method == "min" ? "min" : "max")}({a.Column.Sql})" + (a.Column.Numeric ? "::float8::text" : ""),
            })) + $" FROM features WHERE layer_id = $1 AND (attributes->>'OBJECTID')::int > $2" + (group is null ? "" : " GROUP BY 1 ORDER BY 1");
            var expected = new List<string?[]>();
            await using (var command = server.Database.DataSource.CreateCommand(sql))
            {
                command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = wards });
                command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = above });
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync()) expected.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : reader.GetString(i)).ToArray());
            }
            var actual = (await server.Client.GetJsonAsync(url)).GetProperty("value").EnumerateArray().ToList();
            Assert.True(expected.Count == actual.Count, $"{url}: {actual.Count} groups, SQL {expected.Count}");
            foreach (var (row, got) in expected.Zip(actual))
            {
                var offset = group is null ? 0 : 1;
                if (group is not null) Assert.Equal(row[0], got.GetProperty(group).GetString());
                foreach (var (a, i) in aggregates.Select((a, i) => (a, i)))
                {
                    var value = got.GetProperty(a.Alias);
                    var want = row[offset + i];
                    if (want is null) Assert.Equal(JsonValueKind.Null, value.ValueKind);
                    else if (value.ValueKind == JsonValueKind.String) Assert.Equal(want, value.GetString());
                    else Assert.True(Math.Abs(double.Parse(want, CultureInfo.InvariantCulture) - value.GetDouble()) <= 1e-9 * Math.Max(1, Math.Abs(value.GetDouble())), $"{url} {a.Alias}: {value} vs SQL {want}");
                }
            }
        }
    }

    [Fact]
    public async Task Each_layer_has_its_own_set_typed_from_its_data_as_OGC_queryables_type_it()
    {
        await LoadAsync();
        var read = await ODataClient.ReadAsync(server.BaseAddress, ["od_client_wards?$top=2&$orderby=OBJECTID desc"]);
        var types = read.GetProperty("types").GetProperty("od_client_wards");
        var queryables = (await server.Client.GetJsonAsync($"/ogc/collections/{City}__wards/queryables")).GetProperty("properties");

        var edm = new Dictionary<string, string> { ["string"] = "Edm.String", ["integer"] = "Edm.Int64", ["number"] = "Edm.Double", ["boolean"] = "Edm.Boolean" };
        var fields = queryables.EnumerateObject().Where(p => p.Name != "geometry").ToList();
        Assert.Equal(7, fields.Count);
        foreach (var field in fields)
            Assert.Equal(edm[field.Value.GetProperty("type").GetString()!], types.GetProperty(field.Name).GetString());
        Assert.Equal("Edm.String", types.GetProperty("WARD_NO").GetString());
        Assert.Equal("Edm.Int64", types.GetProperty("OBJECTID").GetString());
        Assert.Equal("Edm.Double", types.GetProperty("Shape_Area").GetString());
        var rows = read.Data("od_client_wards?$top=2&$orderby=OBJECTID desc").GetProperty("value").EnumerateArray().ToList();
        Assert.Equal([77L, 76L], rows.Select(r => r.GetProperty("OBJECTID").GetInt64()));
    }
}
