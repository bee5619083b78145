using System.Text;
using SpatialReadiness.Checks;
using SpatialReadiness.Checks.Report;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.Core.Publishing;
using SpatialReadiness.Core.Readiness;
using SpatialReadiness.PostGis.Layers;
using SpatialReadiness.PostGis.Readiness;
using SpatialReadiness.Server.Auth;
using SpatialReadiness.Server.GeoJson;
using SpatialReadiness.Server.Readiness;

namespace SpatialReadiness.Server.Endpoints;

/// <summary>
/// The DMAF 4.e check and the Spatial Readiness Score: start a check run and watch it, read the score of the newest
/// run (city, one layer), its findings as GeoJSON, an HTML report, and the declared planning uses that feed B4.
/// Starting a check needs a contributor, declaring a planning use a moderator; reading needs no sign-in.
/// </summary>
public static class ReadinessEndpoints
{
    public const int MaxFindingsPage = 100_000;

    public sealed record NewPlanningUse(string? Title, string? DocumentUrl, string[]? Layers);

    public static void MapReadinessEndpoints(this IEndpointRouteBuilder app)
    {
        var city = app.MapGroup("/api/cities/{city}").WithTags("Readiness");
        city.MapPost("/checks", StartCheck).DisableAntiforgery().RequireRole(Role.Contributor)
            .WithSummary("Start a DMAF 4.e check of the city (or get the one already running)").Produces<CheckRun>(StatusCodes.Status202Accepted).ProducesProblem(404);
        city.MapGet("/checks", async (string city, HttpContext http, LayerStore store, CheckRuns runs, CancellationToken ct) =>
            await store.GetCityAsync(city, ct) is null ? CityNotFound(city)
                : Results.Ok(await RunsFor(http, store, city, await runs.ListAsync(city, CheckRuns.KeptRuns, ct), ct)))
            .WithSummary("The city's recent check runs, newest first").Produces<IReadOnlyList<CheckRun>>().ProducesProblem(404);
        city.MapGet("/checks/{id:guid}", async (string city, Guid id, HttpContext http, LayerStore store, CheckRuns runs, CancellationToken ct) =>
            await runs.GetAsync(id, ct) is { } run && run.City == city ? Results.Ok((await RunsFor(http, store, city, [run], ct))[0])
                : Problems.Of(InputError.NotFound, $"check run {id} of city '{city}' does not exist."))
            .WithSummary("A check run: status, progress, input hash, engine versions").Produces<CheckRun>().ProducesProblem(404);
        city.MapGet("/readiness", async (string city, HttpContext http, LayerStore store, CheckRuns runs, CancellationToken ct) =>
            await LatestAsync(city, http, store, runs, ct) is var (score, problem) && score is not null ? Results.Ok(score) : problem!)
            .WithSummary("The Spatial Readiness Score of the newest succeeded check: SRS-20, SRS-100, parts A/B/C, layer quality, rule deductions")
            .Produces<ReadinessScore>().ProducesProblem(404);
        city.MapGet("/readiness/layers/{layer}", async (string city, string layer, HttpContext http, LayerStore store, CheckRuns runs, CancellationToken ct) =>
        {
            var (score, problem) = await LatestAsync(city, http, store, runs, ct);
            if (score is null) return problem!;
            return score.Layers.FirstOrDefault(l => l.Layer == layer) is { } quality ? Results.Ok(quality)
                : Problems.Of(InputError.NotFound, $"layer '{layer}' was not in the newest check of '{city}' (its layers: {string.Join(", ", score.Layers.Select(l => l.Layer))}); run a new check if it was imported since.");
        }).WithSummary("One layer's quality and rule deductions from the newest check").Produces<LayerQuality>().ProducesProblem(404);
        city.MapGet("/readiness/report", Report)
            .WithSummary("The score, charts and findings as an HTML page").Produces<string>(200, "text/html").ProducesProblem(404);
        city.MapGet("/findings", FindingsGeoJson)
            .WithSummary("Findings of the newest check (or ?run=) as a GeoJSON FeatureCollection; filter by rule, layer, severity; page with limit and offset")
            .Produces(200, contentType: "application/geo+json").ProducesProblem(400).ProducesProblem(404);
        city.MapGet("/planning-uses", ListPlanningUses)
            .WithSummary("Declared planning uses of the city's layers (B4)").Produces<IReadOnlyList<PlanningUse>>().ProducesProblem(404);
        city.MapPost("/planning-uses", DeclarePlanningUse).DisableAntiforgery().RequireRole(Role.Moderator)
            .WithSummary("Declare a plan, DPR or dashboard that uses the city's layers").Produces<PlanningUse>(201).ProducesProblem(422).ProducesProblem(404);
    }

    private static IResult CityNotFound(string city) => Problems.Of(InputError.NotFound, $"city '{city}' does not exist; GET /api/cities lists the cities.");

    private static async Task<IResult> StartCheck(string city, HttpContext http, LayerStore store, CheckRunner runner, CancellationToken ct)
    {
        if (await store.GetCityAsync(city, ct) is null) return CityNotFound(city);
        var (run, refusal) = await runner.StartAsync(city, http.Caller(), ct);
        return refusal ?? Results.Accepted($"/api/cities/{city}/checks/{run!.Id}", run);
    }

    /// <summary>The newest score as this reader may see it (ScoreView).</summary>
    private static async Task<(ReadinessScore? Score, IResult? Problem)> LatestAsync(string city, HttpContext http, LayerStore store, CheckRuns runs, CancellationToken ct)
    {
        if (await store.GetCityAsync(city, ct) is null) return (null, CityNotFound(city));
        return await runs.LatestScoreAsync(city, ct) is { } score ? (ScoreView.For(score, await store.WithheldLayersAsync(city, http.Caller(), ct)), null)
            : (null, Problems.Of(InputError.NotFound, $"no check of '{city}' has succeeded yet; start one with POST /api/cities/{city}/checks (or srd check --city {city})."));
    }

    private static async Task<IResult> Report(string city, HttpContext http, LayerStore store, CheckRuns runs, Findings findings, CancellationToken ct)
    {
        var (score, problem) = await LatestAsync(city, http, store, runs, ct);
        if (score is null) return problem!;
        var query = new FindingQuery(score.RunId, Limit: ReadinessReport.FindingsShown, Revealed: await store.RevealedLayerIdsAsync(http.Caller(), ct));
        var cityInfo = await store.GetCityAsync(city, ct);
        var publishing = PublishingPictures.Of(cityInfo!, await store.ReadableLayersAsync(Caller.Anonymous, ct),
            Publishing.CatalogSource.Urls(http.Request), DateTimeOffset.UtcNow);
        var html = ReadinessReport.ToHtml(score, await findings.ReadAsync(query, ct), await findings.CountAsync(query, ct), publishing,
            cityInfo?.Name, await runs.BoundaryAsync(score.RunId, ct));
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8);
    }

    /// <summary>GeoJSON FeatureCollection of the newest run's findings (or ?run=), filtered, paged with limit/offset and a next link.</summary>
    private static async Task FindingsGeoJson(HttpContext http, string city, string? rule, string? layer, string? severity, int? limit, long? offset, Guid? run, string? format,
        LayerStore store, CheckRuns runs, Findings findings, CancellationToken ct)
    {
        IResult? problem = null;
        var parsedSeverity = default(Severity?);
        if (severity is not null)
            if (Severities.TryParse(severity, out var s)) parsedSeverity = s;
            else problem = Problems.Of(InputError.Malformed, $"severity '{severity}' is not one of gate, error, warning, info.");
        if (limit is < 1 or > MaxFindingsPage) problem ??= Problems.Of(InputError.Malformed, $"limit must be 1 to {MaxFindingsPage}.");
        if (offset is < 0) problem ??= Problems.Of(InputError.Malformed, "offset must be 0 or more.");
        if (format is not (null or "geojson" or "csv")) problem ??= Problems.Of(InputError.Malformed, $"format '{format}' is not geojson or csv.");
        rule = rule?.Trim().ToUpperInvariant(); // rule=overlap is OVERLAP: codes are upper case, people type them any way
        if (rule is not null && !KnownCodes.Contains(rule))
            problem ??= Problems.Of(InputError.Malformed, $"rule '{rule}' is not a rule code; codes: {string.Join(", ", KnownCodes)}.");
        var runId = run;
        if (problem is null && runId is null)
        {
            var (score, latestProblem) = await LatestAsync(city, http, store, runs, ct);
            (runId, problem) = (score?.RunId, latestProblem);
        }
        else if (problem is null && (await runs.GetAsync(runId!.Value, ct))?.City != city)
            problem = Problems.Of(InputError.NotFound, $"check run {runId} of city '{city}' does not exist.");
        if (problem is not null)
        {
            await problem.ExecuteAsync(http);
            return;
        }

        var query = new FindingQuery(runId!.Value, rule, layer, parsedSeverity, limit ?? 10_000, offset ?? 0, await store.RevealedLayerIdsAsync(http.Caller(), ct));
        if (format == "csv")
        {
            await FindingsCsv.WriteAsync(http, findings, query with { Limit = limit ?? MaxFindingsPage }, ct);
            return;
        }
        var matched = await findings.CountAsync(query, ct);
        http.Response.ContentType = "application/geo+json";
        await using var writer = FeatureCollectionWriter.Start(http.Response.BodyWriter, json =>
        {
            json.WriteString("runId", runId!.Value);
            json.WriteNumber("numberMatched", matched);
        });
        await foreach (var feature in findings.GeoJsonFeaturesAsync(query, ct))
            await writer.WriteAsync(feature, ct);
        var returned = writer.Written;
        await writer.EndAsync(json =>
        {
            json.WriteNumber("numberReturned", returned);
            json.WriteStartArray("links");
            if (query.Offset + returned < matched)
            {
                var next = QueryString.Create(http.Request.Query.Where(q => q.Key is not ("offset" or "run")).SelectMany(q => q.Value.Select(v => KeyValuePair.Create(q.Key, v))))
                    .Add("run", runId.ToString()!).Add("offset", (query.Offset + returned).ToString(System.Globalization.CultureInfo.InvariantCulture));
                json.WriteStartObject();
                json.WriteString("rel", "next");
                json.WriteString("type", "application/geo+json");
                json.WriteString("href", $"{http.Request.PathBase}{http.Request.Path}{next}");
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }, ct);
    }

    private static readonly SortedSet<string> KnownCodes = new(
        RuleSet.Rules.Select(r => r.Code).Concat([Checks.Rules.WardMismatch.OfficeElsewhere, Checks.Rules.GapSliver.ExclusionZone, LayerGates.Empty, LayerGates.OutsideIndia]),
        StringComparer.Ordinal);

    private static async Task<IReadOnlyList<CheckRun>> RunsFor(HttpContext http, LayerStore store, string city, IReadOnlyList<CheckRun> runs, CancellationToken ct)
    {
        var withheld = await store.WithheldLayersAsync(city, http.Caller(), ct);
        return runs.Select(r => ScoreView.For(r, withheld)).ToList();
    }

    private static async Task<IResult> ListPlanningUses(string city, HttpContext http, LayerStore store, PlanningUses uses, CancellationToken ct)
    {
        if (await store.GetCityAsync(city, ct) is null) return CityNotFound(city);
        var withheld = await store.WithheldLayersAsync(city, http.Caller(), ct);
        return Results.Ok((await uses.ListAsync(city, ct)).Select(u => ScoreView.For(u, withheld)).ToList());
    }

    /// <summary>
    /// Planning uses (B4) are declared by those who speak for the city: admins and the moderators of its owner
    /// organisation. They may cite only layers they may read; any other name is answered as one the city lacks.
    /// </summary>
    private static async Task<IResult> DeclarePlanningUse(string city, NewPlanningUse body, HttpContext http, LayerStore store, PlanningUses uses, CancellationToken ct)
    {
        if (await store.GetCityAsync(city, ct) is not { } found) return CityNotFound(city);
        var caller = http.Caller();
        if (!caller.MaySpeakFor(found))
            return Problems.Forbidden($"only admins and the moderators of the organisation that speaks for city '{city}' ({found.Owner ?? "none yet: admins alone"}) may declare its planning uses.");
        // A null entry passes "is { } unknown" below unseen; it is malformed JSON for a list of names, not an unknown name.
        if ((body.Layers ?? []).Any(l => l is null))
            return Problems.Of(InputError.Malformed, "\"layers\" must be a list of the city's layer names; it holds a null.");
        var readable = (await store.ReadableLayersAsync(city, caller, ct)).Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        if ((body.Layers ?? []).FirstOrDefault(l => !readable.Contains(l)) is { } unknown)
            return Problems.Of(InputError.Unprocessable, $"layer '{unknown}' is not a layer of city '{city}' (its layers: {string.Join(", ", readable.Order(StringComparer.Ordinal))}).");
        var use = await uses.DeclareAsync(city, body.Title ?? "", body.DocumentUrl ?? "", body.Layers ?? [], http.Caller().Name, ct);
        return Results.Created($"/api/cities/{city}/planning-uses", use);
    }
}
