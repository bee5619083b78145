using Microsoft.AspNetCore.OData;
using Microsoft.OData.Edm;
using SpatialReadiness.Server.OData;

namespace SpatialReadiness.Server.Endpoints;

/// <summary>
/// OData v4 at /odata for Excel and Power BI ("Get Data > From OData feed"): the service document, $metadata (from
/// ASP.NET Core OData) and the entity sets, read with $filter, $select, $orderby, $top, $skip, $count and
/// server-driven paging (OData/ODataFeed.cs).
/// </summary>
public static class ODataEndpoints
{
    public static void MapODataEndpoints(this IEndpointRouteBuilder app)
    {
        // Written here rather than by MapODataServiceDocument, whose @odata.context leaves out the /odata prefix.
        app.MapGet("/odata", (HttpContext http) =>
        {
            var root = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/odata/";
            http.Response.Headers["OData-Version"] = "4.0";
            return Results.Json(new Dictionary<string, object>
            {
                ["@odata.context"] = root + "$metadata",
                ["value"] = ODataModel.Model.EntityContainer.EntitySets().Select(s => new { name = s.Name, kind = "EntitySet", url = s.Name }),
            }, contentType: "application/json;odata.metadata=minimal;charset=utf-8");
        }).WithTags("OData").WithSummary("The OData service document: the entity sets");
        app.MapODataMetadata("/odata/$metadata", ODataModel.Model).WithTags("OData");
        app.MapGet("/odata/{set}", async (HttpContext http, string set, ODataFeed feed, CancellationToken ct) =>
                await feed.WriteAsync(http, set, null, ct) ?? Results.Empty)
            .WithTags("OData").WithSummary("An OData entity set: Cities, Layers, Wards, Slums, Assets, Features, Findings, ReadinessScores");
        app.MapGet("/odata/{set}({key})", async (HttpContext http, string set, string key, ODataFeed feed, CancellationToken ct) =>
                await feed.WriteAsync(http, set, key, ct) ?? Results.Empty)
            .WithTags("OData").WithSummary("One entity by key");
    }
}
