using System.Globalization;
using System.Text;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Faults;

/// <summary>A small city in the fault cluster: a square boundary, two wards and an editable slum layer of two slums.</summary>
public sealed record FaultCity(string City, long Slums, long S1)
{
    public static async Task<FaultCity> CreateAsync(FaultCluster cluster, string city)
    {
        var admin = cluster.Admin;
        await admin.CreateCityAsync(city, "Faultpur");
        await admin.UploadAsync(city, Encoding.UTF8.GetBytes(Collection(ContributionCity.Feature("{\"name\":\"Faultpur\"}", ContributionCity.Square(73.80013, 18.50011, 73.90017, 18.60019)))),
            "boundary.geojson", "boundary", ("name", "boundary")).CreatedLayerAsync();
        await admin.UploadAsync(city, Encoding.UTF8.GetBytes(Collection(
                ContributionCity.Feature("{\"ward_no\":\"1\",\"ward_name\":\"West\"}", ContributionCity.Square(73.80013, 18.50011, 73.85015, 18.60019)),
                ContributionCity.Feature("{\"ward_no\":\"2\",\"ward_name\":\"East\"}", ContributionCity.Square(73.85015, 18.50011, 73.90017, 18.60019)))),
            "wards.geojson", "ward", ("name", "wards")).CreatedLayerAsync();
        var slums = await admin.UploadAsync(city, Encoding.UTF8.GetBytes(Collection(
                ContributionCity.Feature(ContributionCity.Slum("S1", "Ambedkar Nagar", "1", 120, "R. Kamble"), ContributionCity.Square(73.82011, 18.52013, 73.82517, 18.52519)),
                ContributionCity.Feature(ContributionCity.Slum("S2", "Sai Nagar", "2", 80, "S. Pawar"), ContributionCity.Square(73.86011, 18.52013, 73.86517, 18.52519)))),
            "slums.geojson", "slum", ("name", "slums"), ("editable", "true")).CreatedLayerAsync();
        var slumsId = slums.GetProperty("id").GetInt64();
        var s1 = await cluster.ScalarAsync<long>("SELECT id FROM features WHERE layer_id = $1 ORDER BY ordinal LIMIT 1", slumsId);
        // The server fills the layers' stored tile geometry just after each upload; the tests that lock the features
        // table count the backends waiting on it, and a fill would be one of them.
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (await cluster.ScalarAsync<long>("SELECT count(*) FROM layers WHERE tile_geometry_pending") > 0)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the server did not fill the fault city's tile geometry in a minute");
            await Task.Delay(100);
        }
        return new FaultCity(city, slumsId, s1);
    }

    /// <summary>A GeoJSONSeq file of <paramref name="count"/> asset points inside the city: an import that takes a few seconds.</summary>
    public static byte[] ManyPoints(int count)
    {
        var text = new StringBuilder();
        var random = new Random(16);
        for (var i = 0; i < count; i++)
            text.Append(CultureInfo.InvariantCulture, $"{{\"type\":\"Feature\",\"properties\":{{\"asset_id\":\"A{i}\",\"asset_type\":\"hydrant\"}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[{73.801 + random.NextDouble() * 0.098:F6},{18.501 + random.NextDouble() * 0.098:F6}]}}}}\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static string Collection(params string[] features) => "{\"type\":\"FeatureCollection\",\"features\":[" + string.Join(",", features) + "]}";
}
