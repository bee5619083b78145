using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace SpatialReadiness.Server.Tests.Infrastructure;

/// <summary>What the scoring engine does: start a check, wait for it, read the score and the findings.</summary>
public static class ReadinessApi
{
    /// <summary>POSTs a check and polls its run until it finishes; returns the finished run. Like the scoring engine, it
    /// waits and tries again while the server answers 503 (another test class's check holds the SR_MAX_CHECKS slot).</summary>
    public static async Task<JsonElement> RunCheckAsync(this HttpClient client, string city)
    {
        var started = await client.PostAsJsonAsync($"/api/cities/{city}/checks", new { by = "test" });
        for (var retry = 0; started.StatusCode == HttpStatusCode.ServiceUnavailable && retry < 24; retry++)
        {
            var wait = started.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(5);
            await Task.Delay(wait < TimeSpan.FromSeconds(5) ? wait : TimeSpan.FromSeconds(5));
            started = await client.PostAsJsonAsync($"/api/cities/{city}/checks", new { by = "test" });
        }
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, $"{(int)started.StatusCode}: {await started.Content.ReadAsStringAsync()}");
        var location = started.Headers.Location!.ToString();
        for (var attempt = 0; attempt < 1200; attempt++)
        {
            var run = await client.GetJsonAsync(location);
            var status = run.GetProperty("status").GetString();
            if (status is "succeeded") return run;
            Assert.True(status is "queued" or "running", $"check of {city} ended {status}: {run}");
            await Task.Delay(100);
        }
        throw new TimeoutException($"the check of {city} did not finish in 120 s");
    }

    public static async Task<JsonElement> ReadinessAsync(this HttpClient client, string city) =>
        await client.GetJsonAsync($"/api/cities/{city}/readiness");

    /// <summary>The findings FeatureCollection for a query string such as "rule=OVERLAP&amp;layer=wards".</summary>
    public static async Task<JsonElement> FindingsAsync(this HttpClient client, string city, string query = "") =>
        await client.GetJsonAsync($"/api/cities/{city}/findings?{query}");

    public static IEnumerable<JsonElement> Features(this JsonElement collection) => collection.GetProperty("features").EnumerateArray();

    public static string Detail(this JsonElement finding) => finding.GetProperty("properties").GetProperty("detail").GetString()!;

    public static JsonElement Layer(this JsonElement score, string name) =>
        score.GetProperty("layers").EnumerateArray().Single(l => l.GetProperty("layer").GetString() == name);

    public static JsonElement Rule(this JsonElement layer, string code) =>
        layer.GetProperty("rules").EnumerateArray().Single(r => r.GetProperty("rule").GetString() == code);

    public static JsonElement Item(this JsonElement score, string code) =>
        score.GetProperty("parts").EnumerateArray().SelectMany(p => p.GetProperty("items").EnumerateArray())
            .Single(i => i.GetProperty("code").GetString() == code);
}
