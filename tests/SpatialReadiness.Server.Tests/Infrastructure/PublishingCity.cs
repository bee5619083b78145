using System.Globalization;
using System.Text;

namespace SpatialReadiness.Server.Tests.Infrastructure;

/// <summary>
/// A city with a layer of every kind for the catalogue tests: Pune's real boundary, 2022 wards, ward offices (assets)
/// and 2017 admin wards (other), three slum polygons drawn inside Pune, and a sensitive household layer that no
/// catalogue may list. Each public layer has complete metadata and a licence the catalogue knows.
/// </summary>
public static class PublishingCity
{
    public const string Id = "pub-pune";
    public const string Sensitive = "households";

    public static readonly (string Name, string Kind, string File, string Licence, string Frequency)[] Layers =
    [
        ("boundary", "boundary", "pune/DERIVED_pune_city_boundary_union_of_electoral_wards_2022.geojson", "CC BY 4.0", "annual"),
        ("wards", "ward", "pune/pune-electoral-wards_2022.geojson", "CC BY-SA 2.5 IN", "annual"),
        ("offices", "asset", "pune/pune-admin-ward-offices.csv", "Government Open Data License - India", "quarterly"),
        ("admin-wards", "other", "pune/pune-admin-wards_2017.geojson", "ODbL", "irregular"),
    ];

    public static async Task EnsureAsync(ServerFixture server)
    {
        if (await server.Database.ScalarAsync<long>("SELECT count(*) FROM layers WHERE city_id = $1", Id) > 0) return;
        await server.Admin.CreateCityAsync(Id, "Pune");
        foreach (var (name, kind, file, licence, frequency) in Layers)
            await server.Moderator.UploadAsync(Id, SharedData.Path(file), kind, Complete(name, licence, frequency)).CreatedLayerAsync();
        await server.Moderator.UploadAsync(Id, Slums(), "slums.geojson", "slum", Complete("slums", "CC BY 4.0", "monthly")).CreatedLayerAsync();
        await server.Moderator.UploadAsync(Id, Slums(), "households.geojson", "slum",
            ("name", Sensitive), ("title", "Household survey"), ("sensitive", "true"), ("licence", "CC BY 4.0")).CreatedLayerAsync();
        await server.Admin.RunCheckAsync(Id);
    }

    public static (string, string)[] Complete(string name, string licence, string frequency) =>
    [
        ("name", name), ("title", $"Pune {name}"), ("description", $"The {name} of Pune as the city publishes them."), ("licence", licence),
        ("surveyDate", "2024-03-01"), ("custodian", "Pune Municipal Corporation"), ("source", "https://pmc.gov.in"), ("updateFrequency", frequency),
    ];

    /// <summary>Three ~100 m squares inside Pune, each with the slum schema's fields.</summary>
    public static byte[] Slums()
    {
        var features = new StringBuilder();
        for (var i = 0; i < 3; i++)
        {
            var (x, y) = (73.85 + 0.01 * i, 18.52);
            var ring = string.Create(CultureInfo.InvariantCulture, $"[[{x},{y}],[{x + 0.001},{y}],[{x + 0.001},{y + 0.001}],[{x},{y + 0.001}],[{x},{y}]]");
            features.Append(i > 0 ? "," : "").Append(CultureInfo.InvariantCulture,
                $"{{\"type\":\"Feature\",\"properties\":{{\"slum_id\":\"S{i}\",\"slum_name\":\"Slum {i}\",\"households\":{100 + i},\"status\":\"notified\"}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[{ring}]}}}}");
        }
        return Encoding.UTF8.GetBytes($"{{\"type\":\"FeatureCollection\",\"features\":[{features}]}}");
    }
}
