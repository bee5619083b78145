using System.Net;
using System.Text;
using System.Text.Json;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Layers;

/// <summary>
/// The upload endpoint and <c>srd import</c> build one import description (Core/Layers/ImportDescription): for every
/// bad description they give the same answer (a 4xx problem, an exit code 2 with one line) with the same message, the
/// input spelled as each front end spells it, and write nothing: no layer, no feature table, no import job.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class ImportDescriptionTests(ServerFixture server)
{
    private const string Csv = "ward_no,ward_name,lon,lat\n1,West,73.85,18.52\n2,East,73.86,18.53\n";

    private const string GeoJson = """
        {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"ward_no":1,"ward_name":"West"},"geometry":{"type":"Point","coordinates":[73.85,18.52]}}]}
        """;

    /// <summary>A bad description: inputs changed from a good one (null removes an input), the status HTTP answers, and words its message holds.</summary>
    public static TheoryData<string, string?, HttpStatusCode, string> BadDescriptions => new()
    {
        { "kind", null, HttpStatusCode.BadRequest, "is required" },
        { "kind", "river", HttpStatusCode.BadRequest, "is not a layer kind" },
        { "licence", null, HttpStatusCode.BadRequest, "is required" },
        { "name", "Wards of Pune!", HttpStatusCode.UnprocessableEntity, "is not allowed" },
        { "surveyDate", "5/12/2026", HttpStatusCode.BadRequest, "is not a date" },
        { "updateFrequency", "sometimes", HttpStatusCode.BadRequest, "is not an update frequency" },
        { "map", "ward_no", HttpStatusCode.BadRequest, "is not canonical=source" },
        { "map", "colour=ward_name", HttpStatusCode.BadRequest, "not a field of the ward schema" },
        { "map", "ward_no=Ward Num", HttpStatusCode.UnprocessableEntity, "the file has no field 'Ward Num'" },
        { "sensitiveFields", "ward_name, phone", HttpStatusCode.UnprocessableEntity, "'phone' is marked sensitive, but the file has no such field" },
        { "crs", "EPSG:99999999", HttpStatusCode.UnprocessableEntity, "is not a CRS this server" },
        { "encoding", "klingon", HttpStatusCode.UnprocessableEntity, "klingon" },
    };

    [Theory]
    [MemberData(nameof(BadDescriptions))]
    public async Task Http_and_cli_refuse_a_bad_description_alike_and_write_nothing(string input, string? value, HttpStatusCode status, string says)
    {
        var city = "desc-" + Guid.NewGuid().ToString("N")[..10];
        await server.Admin.CreateCityAsync(city);
        var inputs = new Dictionary<string, string> { ["kind"] = "ward", ["licence"] = "CC0", ["name"] = "wards" };
        if (value is null) inputs.Remove(input); else inputs[input] = value;
        var tablesBefore = await FeatureTables();

        var response = await Upload(city, inputs, "wards.csv", Csv);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var httpMessage = JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString()!;
        Assert.Contains(says, httpMessage);

        var file = Path.Combine(Gdal.TempDirectory(), "wards.csv");
        await File.WriteAllTextAsync(file, Csv);
        var (exit, output, errors) = await SrdProcess.RunAsync(server.Database.ConnectionString, CliArguments(file, city, inputs));
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        var line = Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("srd: " + httpMessage, "srd: " + AsForm(line["srd: ".Length..]));

        await AssertNothingWritten(city, tablesBefore, jobs: 0);
    }

    [Fact]
    public async Task A_streamed_GeoJSON_naming_a_missing_field_is_refused_after_reading_and_leaves_only_the_failed_job()
    {
        var city = "desc-" + Guid.NewGuid().ToString("N")[..10];
        await server.Admin.CreateCityAsync(city);
        var tablesBefore = await FeatureTables();

        var response = await Upload(city, new() { ["kind"] = "ward", ["licence"] = "CC0", ["sensitiveFields"] = "phone" }, "wards.geojson", GeoJson);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("'phone' is marked sensitive, but the file has no such field (its fields: ward_no, ward_name)",
            (await response.JsonAsync()).GetProperty("detail").GetString());
        // Its fields are known only once read, inside the import's one transaction: the job records why it failed.
        await AssertNothingWritten(city, tablesBefore, jobs: 1);
        Assert.Equal("failed", await server.Database.ScalarAsync<string>("SELECT status FROM import_jobs WHERE city_id = $1", city));
    }

    [Fact]
    public async Task An_upload_asking_to_import_in_the_background_is_refused_alike_before_it_is_accepted()
    {
        var city = "desc-" + Guid.NewGuid().ToString("N")[..10];
        await server.Admin.CreateCityAsync(city);
        var tablesBefore = await FeatureTables();

        // Prefer: respond-async answers 202 with a job to watch: a field the header lacks must be refused first, not
        // accepted as a job that never appears.
        var response = await Upload(city, new() { ["kind"] = "ward", ["licence"] = "CC0", ["sensitiveFields"] = "phone" }, "wards.csv", Csv, respondAsync: true);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("'phone' is marked sensitive, but the file has no such field", (await response.JsonAsync()).GetProperty("detail").GetString());
        await AssertNothingWritten(city, tablesBefore, jobs: 0);
    }

    private async Task AssertNothingWritten(string city, long tablesBefore, long jobs)
    {
        Assert.Equal(0, await server.Database.ScalarAsync<long>("SELECT count(*) FROM layers WHERE city_id = $1", city));
        Assert.Equal(jobs, await server.Database.ScalarAsync<long>("SELECT count(*) FROM import_jobs WHERE city_id = $1", city));
        Assert.Equal(tablesBefore, await FeatureTables());
    }

    private Task<long> FeatureTables() =>
        server.Database.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname LIKE 'features\\_%' AND relkind = 'r'");

    private async Task<HttpResponseMessage> Upload(string city, Dictionary<string, string> inputs, string fileName, string content, bool respondAsync = false)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (name, value) in inputs) form.Add(new StringContent(value), name);
        form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(content)), "file", fileName);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/cities/{city}/layers") { Content = form };
        if (respondAsync) request.Headers.Add("Prefer", "respond-async");
        return await server.Admin.SendAsync(request);
    }

    private static string[] CliArguments(string file, string city, Dictionary<string, string> inputs) =>
        ["import", file, "--city", city, .. inputs.SelectMany(i => new[] { "--" + Option(i.Key), i.Value })];

    /// <summary>The CLI's message with each option spelled as the form spells it ("--survey-date" is "surveyDate").</summary>
    private static string AsForm(string message) =>
        ImportDescription.InputNames.OrderByDescending(n => n.Length).Aggregate(message, (text, name) => text.Replace("--" + Option(name), name, StringComparison.Ordinal));

    private static string Option(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 && char.IsLower(name[i - 1]) ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
