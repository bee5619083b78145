using SpatialReadiness.Server.Auth;
using SpatialReadiness.Server.OData;

namespace SpatialReadiness.Server.Endpoints;

/// <summary>
/// OData v4 at /odata for Excel and Power BI ("Get Data > From OData feed"): the service document, $metadata and the
/// entity sets (OData/ODataFeed.cs), each as the reader may see them: the sets of sensitive layers and fields appear
/// only for readers allowed them.
/// </summary>
public static class ODataEndpoints
{
    public static void MapODataEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/odata", async (HttpContext http, ODataServices services) =>
                ODataMetadata.ServiceDocument(http.Request, await services.ForAsync(http.Caller(), http.RequestAborted)))
            .WithTags("OData").WithSummary("The OData service document: the entity sets");
        app.MapGet("/odata/$metadata", async (HttpContext http, ODataServices services) =>
                ODataMetadata.Document(http.Request, await services.ForAsync(http.Caller(), http.RequestAborted)))
            .WithTags("OData").WithSummary("The OData model: CSDL XML (CSDL JSON for OData 4.01 clients that ask for it)");
        app.MapGet("/odata/{**path}", async (HttpContext http, string path, ODataFeed feed, CancellationToken ct) =>
                await feed.WriteAsync(http, path, ct) ?? Results.Empty)
            .WithTags("OData").WithSummary("An entity set (Cities, Layers, Wards, Slums, Assets, Features, Findings, ReadinessScores, one per layer), "
                                           + "Set/$count, Set(key), Set(key)/Property and its /$value");
    }
}
