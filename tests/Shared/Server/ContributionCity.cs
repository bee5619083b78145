using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace SpatialReadiness.Server.Tests.Infrastructure;

/// <summary>
/// A small city for contribution tests, published by the admin for the city's GIS cell (<see cref="ServerFixture.CityOrg"/>):
/// a square boundary (73.80-73.90 E, 18.50-18.60 N), two wards split at <see cref="WardEdge"/>, and an editable slum
/// layer with two slums (S1, S2; head_name sensitive when asked). Coordinates have five decimals, so LOW_PRECISION
/// stays quiet.
/// </summary>
public sealed record ContributionCity(string City, long Slums, long Wards, long S1, long S2)
{
    public const double WardEdge = 73.85015;

    public string Items => $"/ogc/collections/{City}__slums/items";

    public static async Task<ContributionCity> CreateAsync(ServerFixture server, string city, bool sensitiveHeads = false)
    {
        var admin = server.Admin;
        await admin.CreateCityAsync(city, "Contributionpur");
        var owner = ("owner", ServerFixture.CityOrg);
        await admin.UploadAsync(city, Encoding.UTF8.GetBytes(Collection(Feature("{\"name\":\"Contributionpur\"}", Square(73.80013, 18.50011, 73.90017, 18.60019)))),
            "boundary.geojson", "boundary", ("name", "boundary"), owner).CreatedLayerAsync();
        var wards = await admin.UploadAsync(city, Encoding.UTF8.GetBytes(Collection(
                Feature("{\"ward_no\":\"1\",\"ward_name\":\"West\"}", Square(73.80013, 18.50011, WardEdge, 18.60019)),
                Feature("{\"ward_no\":\"2\",\"ward_name\":\"East\"}", Square(WardEdge, 18.50011, 73.90017, 18.60019)))),
            "wards.geojson", "ward", ("name", "wards"), owner).CreatedLayerAsync();
        var slums = await admin.UploadAsync(city, Encoding.UTF8.GetBytes(Collection(
                Feature(Slum("S1", "Ambedkar Nagar", "1", 120, "R. Kamble"), Square(73.82011, 18.52013, 73.82517, 18.52519)),
                Feature(Slum("S2", "Sai Nagar", "2", 80, "S. Pawar"), Square(73.86011, 18.52013, 73.86517, 18.52519)))),
            "slums.geojson", "slum", [("name", "slums"), ("editable", "true"), owner, .. (sensitiveHeads ? new[] { ("sensitiveFields", "head_name") } : Array.Empty<(string, string)>())]).CreatedLayerAsync();
        var slumsId = slums.GetProperty("id").GetInt64();
        var ids = await server.Database.ScalarAsync<long[]>("SELECT array_agg(id ORDER BY ordinal) FROM features WHERE layer_id = $1", slumsId);
        return new ContributionCity(city, slumsId, wards.GetProperty("id").GetInt64(), ids[0], ids[1]);
    }

    public static string Slum(string id, string name, string ward, int households, string head) =>
        JsonSerializer.Serialize(new { slum_id = id, slum_name = name, ward_no = ward, status = "identified", households, head_name = head });

    /// <summary>A closed ring from the corners given, as GeoJSON Polygon coordinates.</summary>
    public static string Polygon(params (double Lon, double Lat)[] corners) =>
        "{\"type\":\"Polygon\",\"coordinates\":[[" + string.Join(",", corners.Append(corners[0]).Select(c => string.Create(CultureInfo.InvariantCulture, $"[{c.Lon},{c.Lat}]"))) + "]]}";

    public static string Square(double west, double south, double east, double north) => Polygon((west, south), (east, south), (east, north), (west, north));

    public static string Feature(string properties, string geometry) => $"{{\"type\":\"Feature\",\"properties\":{properties},\"geometry\":{geometry}}}";

    private static string Collection(params string[] features) => "{\"type\":\"FeatureCollection\",\"features\":[" + string.Join(",", features) + "]}";

    public static object Create(string properties, string geometry) => new { action = "create", feature = JsonDocument.Parse(Feature(properties, geometry)).RootElement };

    public static object Modify(long featureId, int baseVersion, string properties, string? geometry = null) => new
    {
        action = "modify", featureId, baseVersion,
        feature = JsonDocument.Parse($"{{\"properties\":{properties}{(geometry is null ? "" : ",\"geometry\":" + geometry)}}}").RootElement,
    };

    public static object Delete(long featureId, int baseVersion) => new { action = "delete", featureId, baseVersion };
}

/// <summary>What a client does with contributions: propose, list, review, revert.</summary>
public static class ContributionApi
{
    public static Task<HttpResponseMessage> ProposeAsync(this HttpClient client, long layer, string comment, params object[] changes) =>
        client.PostAsJsonAsync($"/api/layers/{layer}/contributions", new { comment, changes });

    /// <summary>Proposes and expects 201: the contribution.</summary>
    public static async Task<JsonElement> ProposedAsync(this HttpClient client, long layer, string comment, params object[] changes)
    {
        var response = await client.ProposeAsync(layer, comment, changes);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.JsonAsync();
    }

    public static Task<HttpResponseMessage> ReviewAsync(this HttpClient client, long contribution, string verdict, string? note = null) =>
        client.PostAsJsonAsync($"/api/contributions/{contribution}/{verdict}", new { note });

    /// <summary>Accepts and expects 200: the contribution as accepted.</summary>
    public static async Task<JsonElement> AcceptedAsync(this HttpClient client, long contribution)
    {
        var response = await client.ReviewAsync(contribution, "accept", "looks right");
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.JsonAsync();
    }

    public static long Id(this JsonElement contribution) => contribution.GetProperty("id").GetInt64();

    public static IEnumerable<string?> Rules(this JsonElement contribution) =>
        contribution.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("rule").GetString());
}
