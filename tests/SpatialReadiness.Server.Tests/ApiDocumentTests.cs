using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests;

[Collection(PostgisCollection.Name)]
public sealed class ApiDocumentTests(ServerFixture server)
{
    [Fact]
    public async Task The_OpenAPI_document_describes_the_layer_and_tile_endpoints()
    {
        var document = await server.Client.GetJsonAsync("/openapi/v1.json");
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString());
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/cities", paths);
        Assert.Contains("/api/cities/{city}/layers", paths);
        Assert.Contains("/api/layers/{id}", paths);
        Assert.Contains("/tiles/{layer}/{z}/{x}/{y}", paths);
        Assert.True(document.GetProperty("paths").GetProperty("/api/cities/{city}/layers").TryGetProperty("post", out _));
    }
}
