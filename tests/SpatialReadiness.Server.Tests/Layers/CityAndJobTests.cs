using System.Net;
using System.Net.Http.Json;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Layers;

[Collection(PostgisCollection.Name)]
public sealed class CityAndJobTests(ServerFixture server)
{
    private readonly HttpClient _client = server.Admin;

    [Fact]
    public async Task Cities_are_created_once_with_a_url_safe_id()
    {
        var created = await _client.PostAsJsonAsync("/api/cities", new { id = "nashik", name = "Nashik", state = "Maharashtra" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/cities/nashik", created.Headers.Location?.ToString());

        var again = await _client.PostAsJsonAsync("/api/cities", new { id = "nashik", name = "Nashik" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var badId = await _client.PostAsJsonAsync("/api/cities", new { id = "Nashik City!", name = "Nashik" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badId.StatusCode);
        Assert.Contains("lower-case", (await badId.JsonAsync()).GetProperty("detail").GetString());

        var cities = await _client.GetJsonAsync("/api/cities");
        var nashik = cities.EnumerateArray().Single(c => c.GetProperty("id").GetString() == "nashik");
        Assert.Equal("Nashik", nashik.GetProperty("name").GetString());
        Assert.False(nashik.GetProperty("hasBoundary").GetBoolean());
    }

    [Fact]
    public async Task An_upload_that_prefers_async_returns_a_job_to_watch()
    {
        await _client.CreateCityAsync("mumbai-async", "Mumbai");
        using var form = new MultipartFormDataContent
        {
            { new StringContent("slum"), "kind" },
            { new StringContent("CC BY-SA 2.5 IN"), "licence" },
            { new ByteArrayContent(await File.ReadAllBytesAsync(SharedData.Path("mumbai/slumClusters.geojson"))), "file", "slumClusters.geojson" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/cities/mumbai-async/layers") { Content = form };
        request.Headers.Add("Prefer", "respond-async");

        var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var jobUrl = response.Headers.Location!.ToString();
        var job = await _client.GetJsonAsync(jobUrl);
        for (var i = 0; i < 300 && job.GetProperty("status").GetString() == "running"; i++)
        {
            await Task.Delay(100);
            job = await _client.GetJsonAsync(jobUrl);
        }
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        Assert.Equal(2542, job.GetProperty("featuresRead").GetInt64());
        var layer = await _client.GetJsonAsync($"/api/layers/{job.GetProperty("layerId").GetInt64()}");
        Assert.Equal(2542, layer.GetProperty("featureCount").GetInt64());
    }

    [Fact]
    public async Task A_failed_job_says_why()
    {
        await _client.CreateCityAsync("failed-job");
        using var form = new MultipartFormDataContent
        {
            { new StringContent("ward"), "kind" },
            { new StringContent("CC0"), "licence" },
            { new StringContent("{\"type\":\"FeatureCollection\",\"features\":[{]}"), "file", "broken.geojson" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/cities/failed-job/layers") { Content = form };
        request.Headers.Add("Prefer", "respond-async");
        var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var job = await _client.GetJsonAsync(response.Headers.Location!.ToString());
        for (var i = 0; i < 100 && job.GetProperty("status").GetString() == "running"; i++)
        {
            await Task.Delay(50);
            job = await _client.GetJsonAsync(response.Headers.Location!.ToString());
        }
        Assert.Equal("failed", job.GetProperty("status").GetString());
        Assert.Equal("Malformed", job.GetProperty("errorCode").GetString());
        Assert.Contains("malformed JSON", job.GetProperty("error").GetString());
    }
}
