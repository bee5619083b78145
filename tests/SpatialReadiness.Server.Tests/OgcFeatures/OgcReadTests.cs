using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.OgcFeatures;

/// <summary>
/// OGC API - Features read by real clients: GDAL's OAPIF driver (ogrinfo, ogr2ogr) and plain HTTP as QGIS sends it,
/// over the 58 Pune 2022 wards from ../shared/data.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class OgcReadTests(ServerFixture server) : IAsyncLifetime
{
    private const string City = "ogc-pune";
    private const string Wards = City + "__wards";
    private readonly HttpClient _client = server.Client;
    private string Ogc => new Uri(server.BaseAddress, "/ogc").ToString();

    public async Task InitializeAsync()
    {
        if ((await _client.GetAsync($"/api/cities/{City}")).IsSuccessStatusCode) return;
        await server.Admin.CreateCityAsync(City, "Pune");
        await server.Admin.UploadAsync(City, SharedData.Path("pune/pune-electoral-wards_2022.geojson"), "ward", ("name", "wards"), ("sensitiveFields", "Name2")).CreatedLayerAsync();
        await server.Admin.UploadAsync(City, SharedData.Path("pune/pune-electoral-wards_2017.geojson"), "ward", ("name", "households"), ("sensitive", "true")).CreatedLayerAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public void Ogrinfo_lists_every_public_collection_and_not_the_sensitive_one()
    {
        var listing = Gdal.OgrInfo("-ro", "OAPIF:" + Ogc);
        Assert.Contains($": {Wards} (title: ", listing);
        Assert.DoesNotContain($"{City}__households", listing);
    }

    [Fact]
    public void Ogrinfo_reads_all_58_wards_with_their_public_fields_only()
    {
        var summary = Gdal.OgrInfo("-ro", "-so", "OAPIF:" + Ogc, Wards);
        Assert.Contains("Feature Count: 58", summary);
        Assert.Contains("wardnum: Integer", summary);
        Assert.DoesNotContain("Name2", summary);

        var all = Gdal.OgrInfo("-ro", "OAPIF:" + Ogc, Wards);
        Assert.Equal(58, Regex.Matches(all, @"^OGRFeature\(", RegexOptions.Multiline).Count);
        Assert.Equal(58, Regex.Matches(all, @"^\s+(MULTI)?POLYGON \(+7[34]\.", RegexOptions.Multiline).Count);
        Assert.DoesNotContain("Name2", all);
    }

    [Fact]
    public async Task Ogrinfo_where_becomes_a_cql2_filter_the_server_applies()
    {
        var before = server.Requests.Count;
        var filtered = Gdal.OgrInfo("-ro", "-so", "OAPIF:" + Ogc, Wards, "-where", "wardnum > 50");
        Assert.Contains("Feature Count: 8", filtered); // as ogrinfo -where on the file itself counts

        var sent = server.Requests.Skip(before).Where(r => r.StartsWith($"GET /ogc/collections/{Wards}/items?", StringComparison.Ordinal) && r.Contains("filter=")).ToList();
        Assert.NotEmpty(sent);
        Assert.Contains(sent, r => Uri.UnescapeDataString(r).Contains("filter=wardnum > 50"));
        // The server's own answer to that request: 8 matched, so the filtering happened in PostGIS, not in GDAL.
        var page = await _client.GetJsonAsync($"/ogc/collections/{Wards}/items?filter={Uri.EscapeDataString("wardnum > 50")}&filter-lang=cql-text");
        Assert.Equal(8, page.GetProperty("numberMatched").GetInt32());
        Assert.All(page.GetProperty("features").EnumerateArray(), f => Assert.True(f.GetProperty("properties").GetProperty("wardnum").GetInt32() > 50));
    }

    [Fact]
    public async Task Qgis_opens_the_wards_as_a_layer_reads_all_58_and_sends_its_map_box_as_bbox()
    {
        var before = server.Requests.Count;
        var seen = await QgisClient.ReadOapifAsync(server.BaseAddress, Wards, 73.85, 18.50, 73.87, 18.52);

        Assert.Equal("EPSG:4326", seen.GetProperty("crs").GetString());
        Assert.Equal(58, seen.GetProperty("count").GetInt32());
        Assert.Equal(58, seen.GetProperty("validGeometries").GetInt32());
        Assert.Equal(Enumerable.Range(1, 58), seen.GetProperty("wardnums").EnumerateArray().Select(n => n.GetInt32()));
        var fields = seen.GetProperty("fields").EnumerateArray().Select(f => f.GetString()).ToList();
        Assert.Contains("wardnum", fields);
        Assert.DoesNotContain("Name2", fields); // the sensitive field
        var extent = seen.GetProperty("extent").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.InRange(extent[0], 73.6, 74.0);
        Assert.InRange(extent[1], 18.3, 18.7);
        // The same 10 wards ogrinfo -spat finds in the file, and QGIS asked the server for them by bbox.
        Assert.Equal(10, seen.GetProperty("inBox").GetInt32());
        var boxes = server.Requests.Skip(before).Where(r => r.Contains($"/ogc/collections/{Wards}/items?"))
            .Select(r => Regex.Match(Uri.UnescapeDataString(r), @"bbox=([-\d.]+),([-\d.]+),([-\d.]+),([-\d.]+)")).Where(m => m.Success)
            .Select(m => m.Groups.Values.Skip(1).Select(g => double.Parse(g.Value, CultureInfo.InvariantCulture)).ToArray()).ToList();
        Assert.Contains(boxes, b => b.Zip(new[] { 73.85, 18.50, 73.87, 18.52 }).All(p => Math.Abs(p.First - p.Second) < 1e-9));
    }

    [Fact]
    public void Ogrinfo_spatial_filter_is_sent_as_bbox_and_matches_gdal_on_the_file()
    {
        var before = server.Requests.Count;
        var expected = Count(Gdal.OgrInfo("-ro", "-so", "-al", "-spat", "73.85", "18.50", "73.87", "18.52", SharedData.Path("pune/pune-electoral-wards_2022.geojson")));
        Assert.Equal(10, expected);
        var served = Count(Gdal.OgrInfo("-ro", "-so", "-spat", "73.85", "18.50", "73.87", "18.52", "OAPIF:" + Ogc, Wards));
        Assert.Equal(expected, served);
        Assert.Contains(server.Requests.Skip(before), r => r.Contains($"/ogc/collections/{Wards}/items?") && Uri.UnescapeDataString(r).Contains("bbox=73.8"));
    }

    [Fact]
    public async Task Ogr2ogr_copies_the_collection_into_a_geopackage_with_the_same_ids()
    {
        var gpkg = Path.Combine(Gdal.TempDirectory(), "wards.gpkg");
        // GDAL 3.6 numbers GeoPackage rows afresh unless told to keep the source's feature ids.
        Gdal.Ogr2Ogr("-preserve_fid", "-f", "GPKG", gpkg, "OAPIF:" + Ogc, Wards);
        Assert.Contains("Feature Count: 58", Gdal.OgrInfo("-ro", "-so", gpkg, Wards));
        var copied = Regex.Matches(Gdal.OgrInfo("-ro", "-q", gpkg, "-sql", $"SELECT fid FROM \"{Wards}\""), @"^OGRFeature\(SELECT\):(\d+)", RegexOptions.Multiline)
            .Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Order().ToList();
        var served = (await _client.GetJsonAsync($"/ogc/collections/{Wards}/items?limit=100")).GetProperty("features").EnumerateArray()
            .Select(f => f.GetProperty("id").GetInt64()).Order().ToList();
        Assert.Equal(58, served.Count);
        Assert.Equal(served, copied);
    }

    [Fact]
    public async Task Landing_page_api_and_conformance_have_what_qgis_checks()
    {
        var landing = await _client.GetJsonAsync("/ogc");
        var links = landing.GetProperty("links").EnumerateArray().ToList();
        Assert.Contains(links, l => l.Rel() == "service-desc" && l.Type() == "application/vnd.oai.openapi+json;version=3.0" && l.Href().EndsWith("/ogc/api"));
        Assert.Contains(links, l => l.Rel() == "data" && l.Type() == "application/json" && l.Href().EndsWith("/ogc/collections"));
        Assert.Contains(links, l => l.Rel() == "conformance");
        Assert.Contains(links, l => l.Rel() == "service-doc" && l.Type() == "text/html");

        var api = await _client.GetAsync("/ogc/api");
        Assert.Equal("application/vnd.oai.openapi+json", api.Content.Headers.ContentType!.MediaType);
        var document = await api.JsonAsync();
        Assert.StartsWith("3.0", document.GetProperty("openapi").GetString());
        var limit = document.GetProperty("components").GetProperty("parameters").GetProperty("limit").GetProperty("schema");
        Assert.Equal(100, limit.GetProperty("default").GetInt32());
        Assert.Equal(10000, limit.GetProperty("maximum").GetInt32());
        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/collections/{collectionId}/items", out _));
        var wardParameters = paths.GetProperty($"/collections/{Wards}/items").GetProperty("get").GetProperty("parameters").ToString();
        Assert.Contains("\"wardnum\"", wardParameters);
        Assert.DoesNotContain("Name2", wardParameters); // sensitive here (other tests' copies of the file may not mark it)
        Assert.DoesNotContain($"{City}__households", document.ToString());

        var conformance = (await _client.GetJsonAsync("/ogc/conformance")).GetProperty("conformsTo").EnumerateArray().Select(c => c.GetString()).ToList();
        foreach (var c in new[] { "ogcapi-features-1/1.0/conf/core", "ogcapi-features-1/1.0/conf/geojson", "ogcapi-features-1/1.0/conf/oas30", "ogcapi-features-1/1.0/conf/html",
                     "ogcapi-features-2/1.0/conf/crs", "ogcapi-features-3/1.0/conf/filter", "ogcapi-features-3/1.0/conf/features-filter", "ogcapi-features-3/1.0/conf/queryables",
                     "cql2/1.0/conf/basic-cql2", "cql2/1.0/conf/cql2-text", "cql2/1.0/conf/basic-spatial-operators", "cql2/1.0/conf/basic-spatial-functions",
                     "ogcapi-features-4/1.0/conf/create-replace-delete" })
            Assert.Contains("http://www.opengis.net/spec/" + c, conformance);
    }

    [Fact]
    public async Task A_collection_shows_extent_licence_provenance_and_crs()
    {
        var collection = await _client.GetJsonAsync($"/ogc/collections/{Wards}");
        Assert.Equal("feature", collection.GetProperty("itemType").GetString());
        Assert.Equal("CC BY-SA 2.5 IN", collection.GetProperty("licence").GetString());
        Assert.Equal("pune-electoral-wards_2022.geojson", collection.GetProperty("provenance").GetProperty("sourceFile").GetString());
        var bbox = collection.GetProperty("extent").GetProperty("spatial").GetProperty("bbox")[0].EnumerateArray().Select(v => v.GetDouble()).ToList();
        Assert.Equal([73.73193, 18.38539, 74.01838, 18.62185], bbox.Select(v => Math.Round(v, 5))); // as ogrinfo reports the file's extent
        Assert.Equal("http://www.opengis.net/def/crs/OGC/1.3/CRS84", collection.GetProperty("storageCrs").GetString());
        Assert.Contains("http://www.opengis.net/def/crs/EPSG/0/32643", collection.GetProperty("crs").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task Items_page_with_next_and_prev_links_until_every_ward_is_read()
    {
        var ids = new List<long>();
        string? next = $"/ogc/collections/{Wards}/items?limit=20";
        var pages = 0;
        while (next is not null)
        {
            var page = await _client.GetJsonAsync(next);
            pages++;
            // Counted on the first page; later pages, reached by the id in the next link, do not count again.
            Assert.Equal(pages == 1, page.TryGetProperty("numberMatched", out var matched));
            if (pages == 1) Assert.Equal(58, matched.GetInt32());
            Assert.Equal(page.GetProperty("features").GetArrayLength(), page.GetProperty("numberReturned").GetInt32());
            Assert.True(DateTimeOffset.TryParse(page.GetProperty("timeStamp").GetString(), CultureInfo.InvariantCulture, out _));
            ids.AddRange(page.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetInt64()));
            var links = page.GetProperty("links").EnumerateArray().ToList();
            next = links.FirstOrDefault(l => l.Rel() == "next") is { ValueKind: JsonValueKind.Object } n ? n.Href() : null;
            if (next is not null) Assert.Contains($"after={ids[^1]}", next);
        }
        Assert.Equal(3, pages);
        Assert.Equal(58, ids.Distinct().Count());
        Assert.Equal(ids.Order(), ids);

        var second = await _client.GetJsonAsync($"/ogc/collections/{Wards}/items?limit=20&offset=20");
        var links2 = second.GetProperty("links").EnumerateArray().ToList();
        Assert.Contains(links2, l => l.Rel() == "prev" && !l.Href().Contains("offset=")); // back to the first page
        Assert.Equal(ids.Skip(20).Take(20), second.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetInt64()));

        var open = await _client.GetJsonAsync($"/ogc/collections/{Wards}/items?datetime=2020-01-01T00:00:00Z/..&limit=1");
        Assert.Equal(58, open.GetProperty("numberMatched").GetInt32()); // no time field: datetime filters nothing
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync($"/ogc/collections/{Wards}/items?datetime=yesterday")).StatusCode);
    }

    [Fact]
    public async Task Crs_parameter_gives_metres_in_utm_and_latitude_first_in_epsg_4326()
    {
        var utm = await _client.GetAsync($"/ogc/collections/{Wards}/items?limit=1&crs=EPSG:32643");
        Assert.Equal("<http://www.opengis.net/def/crs/EPSG/0/32643>", utm.Headers.GetValues("Content-Crs").Single());
        var (x, y) = FirstPosition(await utm.JsonAsync());
        Assert.InRange(x, 350_000, 420_000); // metres east in UTM 43N
        Assert.InRange(y, 2_030_000, 2_070_000); // metres north

        var latLon = await _client.GetAsync($"/ogc/collections/{Wards}/items?limit=1&crs=http://www.opengis.net/def/crs/EPSG/0/4326");
        Assert.Equal("<http://www.opengis.net/def/crs/EPSG/0/4326>", latLon.Headers.GetValues("Content-Crs").Single());
        var (lat, lon) = FirstPosition(await latLon.JsonAsync());
        Assert.InRange(lat, 18.3, 18.7);
        Assert.InRange(lon, 73.7, 74.1);

        var crs84 = await _client.GetAsync($"/ogc/collections/{Wards}/items?limit=1");
        Assert.Equal("<http://www.opengis.net/def/crs/OGC/1.3/CRS84>", crs84.Headers.GetValues("Content-Crs").Single());
        Assert.InRange(FirstPosition(await crs84.JsonAsync()).Item1, 73.7, 74.1);

        // A 20 m bbox in UTM metres around Shaniwar Wada finds the ward that contains the point.
        var utmPoint = await server.Database.ScalarAsync<string>("SELECT ST_X(p)::int || ',' || ST_Y(p)::int FROM ST_Transform(ST_SetSRID(ST_MakePoint(73.8553, 18.5195), 4326), 32643) p");
        var (e, n) = (int.Parse(utmPoint.Split(',')[0], CultureInfo.InvariantCulture), int.Parse(utmPoint.Split(',')[1], CultureInfo.InvariantCulture));
        var box = await _client.GetJsonAsync($"/ogc/collections/{Wards}/items?bbox-crs=EPSG:32643&bbox={e - 10},{n - 10},{e + 10},{n + 10}");
        var containing = await _client.GetJsonAsync($"/ogc/collections/{Wards}/items?filter={Uri.EscapeDataString("S_INTERSECTS(geometry, POINT(73.8553 18.5195))")}");
        Assert.Single(Ids(containing));
        Assert.Equal(Ids(containing), Ids(box));

        var unsupported = await _client.GetAsync($"/ogc/collections/{Wards}/items?crs=EPSG:27700");
        Assert.Equal(HttpStatusCode.BadRequest, unsupported.StatusCode);
        Assert.Contains("http://www.opengis.net/def/crs/EPSG/0/32644", await unsupported.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Cql2_filters_compare_match_and_intersect_in_postgis()
    {
        async Task<int> Matched(string filter) =>
            (await _client.GetJsonAsync($"/ogc/collections/{Wards}/items?limit=1&filter={Uri.EscapeDataString(filter)}")).GetProperty("numberMatched").GetInt32();
        Assert.Equal(8, await Matched("wardnum > 50"));
        Assert.Equal(10, await Matched("wardnum BETWEEN 1 AND 10"));
        Assert.Equal(3, await Matched("wardnum IN (1, 2, 58)"));
        Assert.Equal(55, await Matched("NOT (wardnum IN (1, 2, 58))"));
        Assert.Equal(1, await Matched("Name1 LIKE '%Kothrud%'"));
        Assert.Equal(1, await Matched("CASEI(Name1) LIKE CASEI('%KOTHRUD%')"));
        Assert.Equal(0, await Matched("Name1 LIKE '%KOTHRUD%'"));
        Assert.Equal(0, await Matched("Name1 IS NULL"));
        // Shaniwar Wada, in the old city: exactly one ward contains the point.
        Assert.Equal(1, await Matched("S_INTERSECTS(geometry, POINT(73.8553 18.5195))"));
        Assert.Equal(10, await Matched("S_INTERSECTS(geometry, BBOX(73.85, 18.50, 73.87, 18.52))"));
        Assert.Equal(48, await Matched("S_DISJOINT(geometry, BBOX(73.85, 18.50, 73.87, 18.52))"));
        Assert.Equal(0, await Matched("S_INTERSECTS(geometry, POINT(18.5195 73.8553))")); // lat/lon swapped in CRS84: far from Pune

        var swapped = await _client.GetJsonAsync($"/ogc/collections/{Wards}/items?filter-crs=EPSG:4326&filter={Uri.EscapeDataString("S_INTERSECTS(geometry, POINT(18.5195 73.8553))")}");
        Assert.Equal(1, swapped.GetProperty("numberMatched").GetInt32());

        var syntax = await _client.GetAsync($"/ogc/collections/{Wards}/items?filter={Uri.EscapeDataString("wardnum >> 5")}");
        Assert.Equal(HttpStatusCode.BadRequest, syntax.StatusCode);
        Assert.Contains("position 10", await syntax.Content.ReadAsStringAsync());
        var sensitive = await _client.GetAsync($"/ogc/collections/{Wards}/items?filter={Uri.EscapeDataString("Name2 = 'Kothrud'")}");
        Assert.Equal(HttpStatusCode.BadRequest, sensitive.StatusCode);
        Assert.Contains("unknown property 'Name2'", await sensitive.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Sensitive_layers_and_fields_are_absent_everywhere()
    {
        var collections = await _client.GetStringAsync("/ogc/collections");
        Assert.Contains(Wards, collections);
        Assert.DoesNotContain($"{City}__households", collections);
        foreach (var url in new[] { "", "/items", "/items?f=html", "/queryables" })
            Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/ogc/collections/{City}__households{url}")).StatusCode);

        var items = await _client.GetStringAsync($"/ogc/collections/{Wards}/items?limit=100");
        Assert.Contains("Name1", items);
        Assert.DoesNotContain("Name2", items);
        var queryables = await _client.GetJsonAsync($"/ogc/collections/{Wards}/queryables");
        var names = queryables.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["geometry", "wardnum", "origin", "Name1"], names);
        Assert.Equal("integer", queryables.GetProperty("properties").GetProperty("wardnum").GetProperty("type").GetString());
        var html = await _client.GetStringAsync($"/ogc/collections/{Wards}/items?f=html&limit=100");
        Assert.Contains("<th>Name1</th>", html);
        Assert.DoesNotContain("Name2", html);
        var firstId = (await _client.GetJsonAsync($"/ogc/collections/{Wards}/items?limit=1")).GetProperty("features")[0].GetProperty("id").GetInt64();
        Assert.DoesNotContain("Name2", await _client.GetStringAsync($"/ogc/collections/{Wards}/items/{firstId}"));
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync($"/ogc/collections/{Wards}/items?Name2=x")).StatusCode);
    }

    [Fact]
    public async Task Every_resource_has_an_escaped_html_page_and_answers_options()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/ogc/collections/{Wards}/items?limit=5");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        var page = await _client.SendAsync(request);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<table>", html);
        Assert.Contains("Dhanori - Vishrantwadi", html);
        foreach (var url in new[] { "/ogc", "/ogc/conformance", "/ogc/collections", $"/ogc/collections/{Wards}", $"/ogc/collections/{Wards}/queryables", "/ogc/api" })
        {
            var response = await _client.GetAsync(url + "?f=html");
            Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
            Assert.StartsWith("<!doctype html>", await response.Content.ReadAsStringAsync());
            var options = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Options, url));
            Assert.Equal("GET, HEAD, OPTIONS", string.Join(", ", options.Content.Headers.Allow));
        }
        Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/ogc/collections/{Wards}/items"))).StatusCode);
    }

    private static int Count(string ogrinfo) => int.Parse(Regex.Match(ogrinfo, @"Feature Count: (\d+)").Groups[1].Value, CultureInfo.InvariantCulture);

    private static List<long> Ids(JsonElement page) => page.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetInt64()).Order().ToList();

    private static (double, double) FirstPosition(JsonElement page)
    {
        var c = page.GetProperty("features")[0].GetProperty("geometry").GetProperty("coordinates");
        while (c[0].ValueKind == JsonValueKind.Array) c = c[0];
        return (c[0].GetDouble(), c[1].GetDouble());
    }
}

internal static class LinkJson
{
    public static string? Rel(this JsonElement link) => link.GetProperty("rel").GetString();
    public static string? Type(this JsonElement link) => link.GetProperty("type").GetString();
    public static string Href(this JsonElement link) => link.GetProperty("href").GetString()!;
}
