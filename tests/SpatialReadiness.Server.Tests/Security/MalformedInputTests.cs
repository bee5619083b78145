using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Security;

/// <summary>
/// The classes of malformed input that used to be 500s or bodies cut short, one example each (the fuzz test throws
/// thousands more): each is a whole 400 problem+json saying what is wrong.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class MalformedInputTests(ServerFixture server) : IAsyncLifetime
{
    private const string City = "malformedpur";
    private const string Items = $"/ogc/collections/{City}__slums/items?f=json&";

    public async Task InitializeAsync()
    {
        if (!(await server.Client.GetAsync($"/api/cities/{City}")).IsSuccessStatusCode) await ContributionCity.CreateAsync(server, City);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData(Items + "offset=9223372036854775807", null)] // offset + limit used to wrap negative
    [InlineData(Items + "offset=9223372036854775808", "offset")]
    [InlineData(Items + "limit=99999999999999999999", "limit")]
    [InlineData(Items + "filter=households > 1e300", "out of range")]
    [InlineData(Items + "filter=households > 1e400", "is not a number")]
    [InlineData(Items + "filter='abc' = TRUE", "mixes types")]
    [InlineData(Items + "filter=DATE('2024-01-31') > 5", "mixes types")]
    [InlineData(Items + "filter=households IN (1, 'many')", "mixes types")]
    [InlineData(Items + "filter=slum_name LIKE 'Nagar%5C'", "escape character")]
    [InlineData(Items + "filter=slum_name = 'a%00b'", "NUL")]
    [InlineData(Items + "slum_name=a%00b", "NUL")]
    [InlineData(Items + "filter=S_INTERSECTS(geometry, POLYGON((0 0, 1 1, 1 0)))", "not valid WKT")]
    [InlineData(Items + "filter=S_WITHIN(geometry, POINT(200 100))", "outside longitude")]
    [InlineData(Items + "filter=S_CONTAINS(geometry, GEOMETRYCOLLECTION(POINT(73.85 18.52)))", "GEOMETRYCOLLECTION")]
    [InlineData("/odata/Features?$skip=9223372036854775807&$top=5", null)]
    [InlineData("/odata/Slums?$filter=households gt 1e308", "out of range")]
    [InlineData("/odata/Slums?$filter=geo.distance(Location, geography'POINT(73.85 18.52)') gt 'far'", "incompatible types")]
    [InlineData("/odata/Features?$filter=Id eq true", "incompatible types")]
    [InlineData("/odata/Features?$filter=contains(slum_name, 'a%00b')", "NUL")]
    [InlineData("/odata/Features(99999999)", "does not exist")]
    public async Task A_malformed_or_out_of_range_value_is_a_whole_400_or_an_empty_page(string url, string? detail)
    {
        var response = await server.Client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body); // whole JSON, nothing cut short or appended
        if (detail is null)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return;
        }
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(detail, json.RootElement.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData(30, HttpStatusCode.OK)]
    [InlineData(65, HttpStatusCode.BadRequest)]
    [InlineData(500, HttpStatusCode.BadRequest)]
    public async Task Filters_nest_at_most_64_deep_whatever_the_URL_allows(int depth, HttpStatusCode expected)
    {
        var cql = string.Concat(Enumerable.Repeat("(", depth)) + "households > 1" + string.Concat(Enumerable.Repeat(")", depth));
        var not = string.Concat(Enumerable.Repeat("NOT ", depth)) + "households > 1";
        var odata = string.Concat(Enumerable.Repeat("not (", depth)) + "Id gt 0" + string.Concat(Enumerable.Repeat(")", depth));
        foreach (var url in new[] { Items + "filter=" + Uri.EscapeDataString(cql), Items + "filter=" + Uri.EscapeDataString(not), "/odata/Features?$filter=" + Uri.EscapeDataString(odata) })
        {
            var response = await server.Client.GetAsync(url);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(expected == response.StatusCode, $"{url[..Math.Min(80, url.Length)]}: {(int)response.StatusCode} {body[..Math.Min(300, body.Length)]}");
            if (expected != HttpStatusCode.OK) Assert.Matches("deeper than 64|depth", JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString());
        }
    }

    [Theory]
    [InlineData("wards", "wards/wards.shp")] // a file, then a folder of the same name
    [InlineData("wards/wards.shp", "wards")] // a folder, then a file of the same name
    public async Task A_zip_whose_entries_collide_as_file_and_folder_is_400(string first, string second)
    {
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var name in new[] { first, second })
            {
                using var entry = archive.CreateEntry(name).Open();
                entry.Write(Encoding.UTF8.GetBytes("not really a shapefile"));
            }
        var response = await server.Admin.UploadAsync(City, zip.ToArray(), "collide.zip", "ward", ("name", "collide"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        Assert.Contains("collides with another entry", JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_contribution_with_half_a_UTF16_pair_or_NUL_in_its_text_is_400()
    {
        var layer = (await server.Client.GetJsonAsync($"/api/cities/{City}/layers")).EnumerateArray().Single(l => l.GetProperty("name").GetString() == "slums").GetProperty("id").GetInt64();
        foreach (var text in new[] { "\\ud800", "\\u0000" })
        {
            var feature = ContributionCity.Feature($"{{\"slum_id\":\"S7\",\"slum_name\":\"a{text}b\"}}", ContributionCity.Square(73.86, 18.53, 73.861, 18.531));
            var body = $"{{\"comment\":\"x\",\"changes\":[{{\"action\":\"create\",\"feature\":{feature}}}]}}";
            var response = await server.Contributor.PostAsync($"/api/layers/{layer}/contributions", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(text == "\\u0000" ? "NUL" : "surrogate", (await response.JsonAsync()).GetProperty("detail").GetString());
        }
    }
}
