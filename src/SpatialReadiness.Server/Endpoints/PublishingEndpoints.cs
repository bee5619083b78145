using SpatialReadiness.Core.Accounts;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Core.Publishing;
using SpatialReadiness.PostGis.Layers;
using SpatialReadiness.Server.Auth;
using SpatialReadiness.Server.Publishing;

namespace SpatialReadiness.Server.Endpoints;

/// <summary>
/// Update schedules (DMAF 4.c) and the 4.b-4.d picture: a layer's moderators set how often it is updated; the city's
/// schedule lists each layer's next due date with overdue ones flagged; /publishing measures what the city publishes.
/// </summary>
public static class PublishingEndpoints
{
    /// <summary>A layer's update frequency: daily, weekly, monthly, quarterly, biannual, annual, irregular; null clears it.</summary>
    public sealed record ScheduleChange(string? UpdateFrequency);

    public static void MapPublishingEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Publishing");
        api.MapGet("/layers/{id:long}/schedule", async (long id, HttpContext http, LayerStore store, CancellationToken ct) =>
                await store.GetLayerAsync(id, ct) is { } layer && http.Caller().MayRead(layer)
                    ? Results.Ok(LayerSchedule.Of(layer, DateTimeOffset.UtcNow)) : Problems.Of(InputError.NotFound, $"layer {id} does not exist."))
            .WithSummary("The layer's update frequency, last update, next due date and whether it is overdue");
        api.MapPatch("/layers/{id:long}/schedule", ChangeSchedule).RequireRole(Role.Moderator)
            .WithSummary("Set the layer's update frequency (its moderators): {\"updateFrequency\": \"monthly\"}, null to clear");
        api.MapGet("/cities/{city}/schedule", async (string city, HttpContext http, LayerStore store, CancellationToken ct) =>
        {
            if (await store.GetCityAsync(city, ct) is null) return CityNotFound(city);
            var now = DateTimeOffset.UtcNow;
            var layers = (await store.ReadableLayersAsync(http.Caller(), ct)).Where(l => l.City == city);
            var schedule = layers.Select(l => LayerSchedule.Of(l, now)).OrderByDescending(s => s.Overdue).ThenBy(s => s.NextDue ?? DateTimeOffset.MaxValue).ThenBy(s => s.Layer, StringComparer.Ordinal).ToList();
            return Results.Ok(new { city, asOf = now, overdue = schedule.Count(s => s.Overdue), layers = schedule });
        }).WithSummary("Every layer's update schedule, overdue ones first and flagged");
        api.MapGet("/cities/{city}/publishing", async (string city, HttpContext http, LayerStore store, CancellationToken ct) =>
            await store.GetCityAsync(city, ct) is { } found
                ? Results.Ok(PublishingPictures.Of(found, await store.ReadableLayersAsync(Caller.Anonymous, ct), CatalogSource.Urls(http.Request), DateTimeOffset.UtcNow))
                : CityNotFound(city))
            .WithSummary("DMAF 4.b-4.d: datasets published, share with a schedule and on it, APIs published; not part of SRS-20")
            .Produces<PublishingPicture>();
    }

    private static IResult CityNotFound(string city) => Problems.Of(InputError.NotFound, $"city '{city}' does not exist; GET /api/cities lists the cities.");

    private static async Task<IResult> ChangeSchedule(long id, ScheduleChange body, HttpContext http, LayerStore store, CancellationToken ct)
    {
        var caller = http.Caller();
        if (await store.GetLayerAsync(id, ct) is not { } layer || !caller.MayRead(layer)) return Problems.Of(InputError.NotFound, $"layer {id} does not exist.");
        if (!caller.MayModerate(layer)) return AuthProblems.Forbidden($"only admins and the moderators of the organisation that owns layer {id} may set its update schedule.");
        try
        {
            var frequency = UpdateFrequencies.Normalise(body.UpdateFrequency, "updateFrequency");
            var changed = await store.SetUpdateFrequencyAsync(id, frequency, ct);
            return Results.Ok(LayerSchedule.Of(changed, DateTimeOffset.UtcNow));
        }
        catch (InputException e) { return Problems.From(e); }
    }
}
