using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace SpatialReadiness.Server.Tests.Infrastructure;

/// <summary>What a client does with the API: create cities, upload files as multipart, read JSON.</summary>
public static class Api
{
    public static async Task CreateCityAsync(this HttpClient client, string id, string name = "Test city")
    {
        var response = await client.PostAsJsonAsync("/api/cities", new { id, name, state = "Maharashtra" });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public static Task<HttpResponseMessage> UploadAsync(this HttpClient client, string city, string path, string kind, params (string Name, string Value)[] fields) =>
        client.UploadAsync(city, File.ReadAllBytes(path), Path.GetFileName(path), kind, fields);

    public static async Task<HttpResponseMessage> UploadAsync(this HttpClient client, string city, byte[] content, string fileName, string kind, params (string Name, string Value)[] fields)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(kind), "kind");
        if (!fields.Any(f => f.Name == "licence")) form.Add(new StringContent("CC BY-SA 2.5 IN"), "licence");
        foreach (var (name, value) in fields) form.Add(new StringContent(value), name);
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", fileName);
        return await client.PostAsync($"/api/cities/{city}/layers", form);
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"GET {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.JsonAsync();
    }

    /// <summary>The Id of every entity an OData read answers, following @odata.nextLink to the last page.</summary>
    public static async Task<List<long>> ODataIdsAsync(this HttpClient client, string url)
    {
        var ids = new List<long>();
        for (string? next = "/odata/" + url; next is not null;)
        {
            var page = await client.GetJsonAsync(next);
            ids.AddRange(page.GetProperty("value").EnumerateArray().Select(v => v.GetProperty("Id").GetInt64()));
            next = page.TryGetProperty("@odata.nextLink", out var link) ? link.GetString() : null;
        }
        return ids;
    }

    public static async Task<JsonElement> CreatedLayerAsync(this Task<HttpResponseMessage> upload)
    {
        var response = await upload;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
