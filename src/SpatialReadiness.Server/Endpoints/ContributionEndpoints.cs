using SpatialReadiness.Server.Resilience;
using System.Text.Json.Nodes;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.Core.Contributions;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.PostGis.Contributions;
using SpatialReadiness.PostGis.Features;
using SpatialReadiness.PostGis.Layers;
using SpatialReadiness.Server.Auth;
using SpatialReadiness.Server.Contributions;
using SpatialReadiness.Server.Tiles;
using SpatialReadiness.Server.Uploads;

namespace SpatialReadiness.Server.Endpoints;

/// <summary>
/// Crowd contribution with review: contributors propose changes to a layer (drawn or edited in the viewer as JSON, or a
/// file), each checked with the 4.e rules on arrival; moderators of the layer accept (applied at once, tiles and feeds
/// show it) or reject with a note; anyone who may read a layer reads a feature's history; an accepted contribution can
/// be reverted as a new, moderated one. A change made on a version that is no longer current gets 409 with both.
/// </summary>
public static class ContributionEndpoints
{
    public const int MaxPage = 500;

    public sealed record ReviewNote(string? Note);

    public sealed record RevertRequest(string? Comment);

    public static void MapContributionEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Contributions");
        api.MapPost("/layers/{id:long}/contributions", Submit).DisableAntiforgery().RequireRole(Role.Contributor).WithUploadLimit()
            .WithSummary("Propose changes to a layer: JSON {comment, licence, changes: [{action: create|modify|delete, featureId, baseVersion, feature}]} or a file (multipart)");
        api.MapGet("/contributions", List).RequireRole(Role.Contributor)
            .WithSummary("Contributions the caller may see (their own; those they moderate): ?state=pending|accepted|rejected|conflicted&layer=&city=&mine=true&limit=&offset=");
        api.MapGet("/contributions/{id:long}", Get).RequireRole(Role.Contributor)
            .WithSummary("One contribution: its changes (before/after GeoJSON and diff), its 4.e findings, its review");
        api.MapPost("/contributions/{id:long}/accept", Accept).RequireRole(Role.Moderator)
            .WithSummary("Accept a pending contribution (moderators of its layer): applied atomically; 409 with both versions when a feature moved on");
        api.MapPost("/contributions/{id:long}/reject", Reject).RequireRole(Role.Moderator)
            .WithSummary("Reject a pending contribution with a note (moderators of its layer)");
        api.MapPost("/contributions/{id:long}/revert", Revert).RequireRole(Role.Contributor)
            .WithSummary("Propose undoing an accepted contribution: a new pending contribution restoring the versions it replaced");
        api.MapGet("/layers/{id:long}/features/{featureId:long}/history", History)
            .WithSummary("Every version of a feature, newest first: who, when, which contribution, geometry and attributes");
    }

    private static async Task<IResult> Submit(long id, HttpContext http, LayerStore layers, ContributionStore store, ServerOptions options, WorkLimits limits, CancellationToken ct)
    {
        var caller = http.Caller();
        if (await layers.ReadableLayerAsync(id, caller, ct) is not { } view) return LayerEndpoints.NoSuchLayer(id);
        var (lease, refusal) = http.Request.HasFormContentType ? limits.TryEnter(HeavyWork.FileContribution, caller) : (null, null);
        if (refusal is not null) return refusal;
        using var held = lease;
        try
        {
            ContributionRequest request;
            if (http.Request.HasFormContentType)
            {
                using var upload = await UploadedFile.ReceiveAsync(http.Request, options.MaxUploadBytes, options.TempDirectory, ct);
                request = await ProposalUpload.ReadAsync(upload, view, store, options, ct);
            }
            else
            {
                var body = await RequestBody.ReadAsync(http.Request, options.MaxUploadBytes, ct);
                request = ContributionInput.Read(id, body, options.MaxVerticesPerFeature, $"POST /api/layers/{id}/contributions", RequestBody.Sha256(body));
            }
            var contribution = await store.SubmitAsync(request, caller, Review.Check, ct);
            return Results.Created($"/api/contributions/{contribution.Id}", ContributionJson.Of(contribution, view));
        }
        catch (ConflictException e) { return Review.Conflict(e, view); }
        catch (InputException e) { return Problems.From(e); }
    }

    private static async Task<IResult> List(HttpContext http, string? state, long? layer, string? city, bool? mine, int? limit, long? offset,
        LayerStore layers, ContributionStore store, CancellationToken ct)
    {
        ContributionState? wanted = null;
        if (state is not null)
            if (ContributionNames.TryParse<ContributionState>(state, out var parsed)) wanted = parsed;
            else return Problems.Of(InputError.Malformed, $"state '{state}' is not one of {ContributionNames.Names<ContributionState>()}.");
        if (limit is < 1 or > MaxPage) return Problems.Of(InputError.Malformed, $"limit must be 1 to {MaxPage}.");
        if (offset is < 0) return Problems.Of(InputError.Malformed, "offset must be 0 or more.");
        var caller = http.Caller();
        var query = new ContributionQuery(wanted, layer, city, mine ?? false, limit ?? 50, offset ?? 0);
        var (page, matched) = await store.ListAsync(query, caller, ct);
        var views = new Dictionary<long, LayerInfo>();
        var items = new JsonArray();
        foreach (var contribution in page)
        {
            if (!views.TryGetValue(contribution.LayerId, out var view))
                views[contribution.LayerId] = view = caller.View((await layers.GetLayerAsync(contribution.LayerId, ct))!);
            items.Add(ContributionJson.Of(contribution, view));
        }
        return Results.Json(new JsonObject { ["contributions"] = items, ["numberMatched"] = matched, ["numberReturned"] = page.Count });
    }

    private static async Task<IResult> Get(long id, HttpContext http, LayerStore layers, ContributionStore store, CancellationToken ct) =>
        await VisibleAsync(id, http.Caller(), layers, store, ct) is var (contribution, layer) && contribution is not null
            ? Results.Json(ContributionJson.Of(contribution, http.Caller().View(layer!)))
            : NoSuchContribution(id);

    private static async Task<IResult> Accept(long id, ReviewNote? body, HttpContext http, LayerStore layers, ContributionStore store, TileCatalog tiles, CancellationToken ct)
    {
        var caller = http.Caller();
        var (contribution, layer) = await VisibleAsync(id, caller, layers, store, ct);
        if (contribution is null) return NoSuchContribution(id);
        if (!caller.MayModerate(layer!)) return NotModerator(caller, layer!);
        try
        {
            return Results.Json(ContributionJson.Of(await Review.AcceptAsync(store, tiles, contribution, caller, body?.Note, ct), caller.View(layer!)));
        }
        catch (ConflictException e) { return Review.Conflict(e, caller.View(layer!)); }
        catch (InputException e) { return Problems.From(e); }
    }

    private static async Task<IResult> Reject(long id, ReviewNote? body, HttpContext http, LayerStore layers, ContributionStore store, CancellationToken ct)
    {
        var caller = http.Caller();
        var (contribution, layer) = await VisibleAsync(id, caller, layers, store, ct);
        if (contribution is null) return NoSuchContribution(id);
        if (!caller.MayModerate(layer!)) return NotModerator(caller, layer!);
        try
        {
            return Results.Json(ContributionJson.Of(await store.RejectAsync(id, caller, body?.Note, ct), caller.View(layer!)));
        }
        catch (InputException e) { return Problems.From(e); }
    }

    private static async Task<IResult> Revert(long id, HttpContext http, LayerStore layers, ContributionStore store, ServerOptions options, CancellationToken ct)
    {
        var caller = http.Caller();
        var (contribution, layer) = await VisibleAsync(id, caller, layers, store, ct);
        if (contribution is null) return NoSuchContribution(id);
        if (!caller.MayContribute(layer!)) return AuthProblems.Forbidden($"{caller.Name} may not propose changes to layer {layer!.Id}.");
        var body = await RequestBody.ReadAsync(http.Request, BodyLimits.Json, ct);
        string? comment = null;
        if (body.Length > 0)
        {
            try { comment = System.Text.Json.JsonSerializer.Deserialize<RevertRequest>(body, System.Text.Json.JsonSerializerOptions.Web)?.Comment; }
            catch (System.Text.Json.JsonException e) { return Problems.Of(InputError.Malformed, $"the body is not JSON: {e.Message}"); }
        }
        try
        {
            var revert = await store.RevertAsync(id, caller, comment, RequestBody.Sha256(body), body.Length, Review.Check, ct);
            return Results.Created($"/api/contributions/{revert.Id}", ContributionJson.Of(revert, caller.View(layer!)));
        }
        catch (ConflictException e) { return Review.Conflict(e, caller.View(layer!)); }
        catch (InputException e) { return Problems.From(e); }
    }

    private static async Task<IResult> History(long id, long featureId, HttpContext http, LayerStore layers, FeatureHistory history, CancellationToken ct)
    {
        if (await layers.ReadableLayerAsync(id, http.Caller(), ct) is not { } view) return LayerEndpoints.NoSuchLayer(id);
        var versions = await history.ReadAsync(id, featureId, ct);
        return versions.Count == 0
            ? Problems.Of(InputError.NotFound, $"feature {featureId} of layer {id} has no history: no such feature.")
            : Results.Json(ContributionJson.History(id, featureId, versions, view));
    }

    /// <summary>The contribution and its layer when the caller may see it: their own, or one they moderate (never one to a layer withheld from them).</summary>
    private static async Task<(Contribution?, LayerInfo?)> VisibleAsync(long id, Caller caller, LayerStore layers, ContributionStore store, CancellationToken ct)
    {
        if (await store.GetAsync(id, ct) is not { } contribution || await layers.GetLayerAsync(contribution.LayerId, ct) is not { } layer) return (null, null);
        var visible = caller.MayRead(layer) && (contribution.Author == caller.Name || caller.MayModerate(layer));
        return visible ? (contribution, layer) : (null, null);
    }

    private static IResult NoSuchContribution(long id) =>
        Problems.Of(InputError.NotFound, $"contribution {id} does not exist, or is not yours and not to a layer you moderate.");

    private static IResult NotModerator(Caller caller, LayerInfo layer) =>
        AuthProblems.Forbidden($"{caller.Name} does not moderate layer {layer.Id} ({layer.City}/{layer.Name}, owned by {layer.Owner ?? "no organisation"}).");
}
