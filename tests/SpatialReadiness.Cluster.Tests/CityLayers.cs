using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace SpatialReadiness.Cluster.Tests;

/// <summary>
/// Small layers made through the API: squares inside one z12 tile (<see cref="Tile"/>), each named with a marker. z12 is
/// the lowest zoom whose tiles carry every field (below it only the fields the style draws with), so the markers are
/// in the tile; <see cref="ContributedSquare"/> lies in it too, east of the imported ones.
/// </summary>
public static class CityLayers
{
    public const string Tile = "12/2888/1833";

    public const string ContributedSquare = "[[[73.90011,18.50013],[73.90311,18.50013],[73.90311,18.50517],[73.90011,18.50517],[73.90011,18.50013]]]";

    public static async Task CreateCityAsync(HttpClient admin, string city)
    {
        var response = await admin.PostAsJsonAsync("/api/cities", new { id = city, name = "Cluster " + city, state = "Maharashtra" });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Imports <paramref name="count"/> squares whose ward_name is marker-N; returns the layer's id and version.</summary>
    public static async Task<(long Id, int Version)> ImportAsync(HttpClient admin, string city, string name, string marker, int count, bool editable = false)
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent("ward"), "kind" },
            { new StringContent("CC0"), "licence" },
            { new StringContent(name), "name" },
            { new StringContent(editable ? "true" : "false"), "editable" },
        };
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(Squares(marker, count)));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", name + ".geojson");
        var response = await admin.PostAsync($"/api/cities/{city}/layers", form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {body}");
        var layer = await ClusterFixture.JsonAsync(response);
        return (layer.GetProperty("id").GetInt64(), layer.GetProperty("version").GetInt32());
    }

    private static string Squares(string marker, int count)
    {
        var features = Enumerable.Range(0, count).Select(i =>
        {
            var west = 73.87011 + i * 0.004; // at most 6 squares: up to 73.893, clear of the contributed one
            var ring = string.Create(CultureInfo.InvariantCulture,
                $"[[{west:F5},18.50013],[{west + 0.003:F5},18.50013],[{west + 0.003:F5},18.50517],[{west:F5},18.50517],[{west:F5},18.50013]]");
            return "{\"type\":\"Feature\",\"properties\":{\"ward_no\":\"" + (i + 1) + "\",\"ward_name\":\"" + marker + "-" + (i + 1)
                + "\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[" + ring + "]}}";
        });
        return "{\"type\":\"FeatureCollection\",\"features\":[" + string.Join(',', features) + "]}";
    }
}
