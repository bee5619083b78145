using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests;

[Collection(PostgisCollection.Name)]
public sealed class ApiDocumentTests(ServerFixture server)
{
    [Fact]
    public async Task The_OpenAPI_document_describes_the_layer_tile_and_readiness_endpoints()
    {
        var document = await server.Client.GetJsonAsync("/openapi/v1.json");
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString());
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/cities", paths);
        Assert.Contains("/api/cities/{city}/layers", paths);
        Assert.Contains("/api/layers/{id}", paths);
        Assert.Contains("/tiles/{layer}/{z}/{x}/{y}", paths);
        Assert.True(document.GetProperty("paths").GetProperty("/api/cities/{city}/layers").TryGetProperty("post", out _));
        Assert.Contains("/api/cities/{city}/checks", paths);
        Assert.Contains("/api/cities/{city}/checks/{id}", paths);
        Assert.Contains("/api/cities/{city}/readiness", paths);
        Assert.Contains("/api/cities/{city}/readiness/layers/{layer}", paths);
        Assert.Contains("/api/cities/{city}/readiness/report", paths);
        Assert.Contains("/api/cities/{city}/findings", paths);
        Assert.Contains("/api/cities/{city}/planning-uses", paths);
        var score = document.GetProperty("components").GetProperty("schemas").GetProperty("ReadinessScore").GetProperty("properties");
        Assert.True(score.TryGetProperty("srs20", out _) && score.TryGetProperty("parts", out _) && score.TryGetProperty("layers", out _));
    }
}
