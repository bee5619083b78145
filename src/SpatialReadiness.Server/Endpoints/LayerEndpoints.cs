using SpatialReadiness.Server.Resilience;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Publishing;
using SpatialReadiness.Ingest;
using SpatialReadiness.PostGis.Accounts;
using SpatialReadiness.PostGis.Layers;
using SpatialReadiness.Server.Auth;
using SpatialReadiness.Server.Exports;
using SpatialReadiness.Server.Tiles;
using SpatialReadiness.Server.Uploads;

namespace SpatialReadiness.Server.Endpoints;

/// <summary>
/// Cities, layers with provenance, layer uploads (multipart; synchronous, or a job with Prefer: respond-async), and who
/// may see a layer's sensitive data. Creating a city is for admins; publishing a layer for moderators (a new layer is
/// owned by their organisation; a new version needs the right to moderate the layer); contributors propose features
/// for a layer through its contributions instead (ContributionEndpoints).
/// </summary>
public static class LayerEndpoints
{
    /// <summary>A new city; <paramref name="Owner"/>: the organisation that speaks for it (docs/security.md, "Ownership").</summary>
    public sealed record NewCity(string? Id, string? Name, string? State, string? Owner);

    /// <summary>A change to a layer's access: members left out keep their value.</summary>
    public sealed record AccessChange(string? Owner, bool? Sensitive, string[]? SensitiveFields, bool? Editable);

    public static void MapLayerEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/cities", async (LayerStore store, CancellationToken ct) => Results.Ok(await store.ListCitiesAsync(ct)));
        api.MapPost("/cities", CreateCity).RequireRole(Role.Admin);
        api.MapGet("/cities/{city}", async (string city, LayerStore store, CancellationToken ct) =>
            await store.GetCityAsync(city, ct) is { } found ? Results.Ok(found) : CityNotFound(city));
        api.MapGet("/cities/{city}/layers", async (string city, HttpContext http, LayerStore store, CancellationToken ct) =>
            await store.GetCityAsync(city, ct) is null ? CityNotFound(city) : Results.Ok(await store.ReadableLayersAsync(city, http.Caller(), ct)));
        api.MapPost("/cities/{city}/layers", UploadLayer).DisableAntiforgery().RequireRole(Role.Moderator).WithUploadLimit();
        api.MapGet("/layers/{id:long}", async (long id, HttpContext http, LayerStore store, CancellationToken ct) =>
            await store.ReadableLayerAsync(id, http.Caller(), ct) is { } layer ? Results.Ok(layer) : NoSuchLayer(id));
        api.MapGet("/layers/{id:long}/export", Export)
            .WithSummary("Download a layer: format=geojson|csv|shp|gpkg, streamed; sensitive fields only for readers allowed them");
        api.MapGet("/layers/{id:long}/versions", async (long id, HttpContext http, LayerStore store, CancellationToken ct) =>
            await store.ReadableLayerAsync(id, http.Caller(), ct) is not { } layer ? NoSuchLayer(id) : Results.Ok((await store.ListVersionsAsync(id, ct)).Select(layer.Shown)));
        api.MapGet("/layers/{id:long}/access", async (long id, HttpContext http, LayerStore store, CancellationToken ct) =>
                await store.ReadableLayerAsync(id, http.Caller(), ct) is { } layer ? Results.Ok(LayerAccess.Of(layer)) : NoSuchLayer(id))
            .WithSummary("Who owns the layer, whether it and which of its fields are sensitive, whether it takes contributions");
        api.MapPatch("/layers/{id:long}/access", ChangeAccess).RequireRole(Role.Moderator)
            .WithSummary("Change the layer's access (moderators of the layer; the owner only by admins): a new layer version");
        api.MapPut("/layers/{id:long}/field-map", ChangeFieldMap).RequireRole(Role.Moderator)
            .WithSummary("Set which of the layer's fields the readiness check reads as each canonical field ({\"ward_no\": \"sn\"}); check again to apply, no re-import");
        api.MapGet("/imports/{id:guid}", ImportStatus).WithSummary("An import job's progress: for the one who started it and the layer's moderators");
    }

    /// <summary>A job names a layer and a file, and says why an import failed: others get the answer of a job that does not exist.</summary>
    private static async Task<IResult> ImportStatus(Guid id, HttpContext http, LayerStore store, CancellationToken ct)
    {
        var caller = http.Caller();
        var job = caller.IsAuthenticated ? await store.GetImportJobAsync(id, ct) : null;
        var visible = job is not null && (job.RequestedBy == caller.Name || caller.IsAdmin
            || await store.GetLayerAsync(job.City, job.LayerName, ct) is { } layer && caller.MayModerate(layer));
        return visible ? Results.Ok(job) : Problems.Of(InputError.NotFound, $"import {id} does not exist.");
    }

    private static IResult CityNotFound(string city) => Problems.Of(InputError.NotFound, $"city '{city}' does not exist; GET /api/cities lists the cities.");

    /// <summary>The one answer for a layer that does not exist and for one withheld from the reader.</summary>
    public static IResult NoSuchLayer(long id) => Problems.Of(InputError.NotFound, $"layer {id} does not exist.");

    private static async Task<IResult> CreateCity(NewCity body, LayerStore store, CancellationToken ct)
    {
        var city = await store.CreateCityAsync(body.Id ?? "", body.Name ?? "", body.State, ct, string.IsNullOrWhiteSpace(body.Owner) ? null : body.Owner.Trim());
        return Results.Created($"/api/cities/{city.Id}", city);
    }

    private static async Task<IResult> ChangeAccess(long id, AccessChange body, HttpContext http, LayerStore store, TileCatalog tiles, CancellationToken ct)
    {
        var caller = http.Caller();
        if (await store.ReadableLayerAsync(id, caller, ct) is not { } layer) return NoSuchLayer(id);
        if (!caller.MayModerate(layer)) return Problems.Forbidden($"only admins and the moderators of the organisation that owns layer {id} may change who sees it.");
        var now = LayerAccess.Of(layer);
        if (body.Owner is not null && body.Owner != now.Owner && !caller.IsAdmin) return Problems.Forbidden("only an admin may give a layer to another organisation.");
        var access = new LayerAccess(body.Owner ?? now.Owner, body.Sensitive ?? now.Sensitive,
            body.SensitiveFields?.Select(f => f.Trim()).Where(f => f.Length > 0).Distinct().ToList() ?? now.SensitiveFields, body.Editable ?? now.Editable);
        var changed = await store.SetAccessAsync(id, access, caller.Name, ct);
        tiles.Evict(id, changed.City);
        return Results.Ok(LayerAccess.Of(changed));
    }

    private static async Task<IResult> ChangeFieldMap(long id, Dictionary<string, string> body, HttpContext http, LayerStore store, CancellationToken ct)
    {
        var caller = http.Caller();
        // A layer the caller may not read does not exist for them (a 403 would tell a sensitive layer is there).
        if (await store.ReadableLayerAsync(id, caller, ct) is not { } layer) return NoSuchLayer(id);
        if (!caller.MayModerate(layer)) return Problems.Forbidden($"only admins and the moderators of the organisation that owns layer {id} may change its field map.");
        LayerKinds.TryParse(layer.Kind, out var kind);
        var text = string.Join(",", body.Select(p => $"{p.Key}={p.Value}"));
        var map = FieldMapping.Parse(text, LayerSchema.For(kind));
        return Results.Ok(await store.SetFieldMapAsync(id, map, ct));
    }

    private static async Task<IResult> UploadLayer(string city, HttpContext http, LayerStore store, AccountStore accounts, TileCatalog tiles, ServerOptions options,
        IHostApplicationLifetime lifetime, ILoggerFactory loggers, WorkLimits limits, CancellationToken ct)
    {
        var request = http.Request;
        var caller = http.Caller();
        var (lease, refusal) = limits.TryEnter(HeavyWork.Import, caller);
        if (refusal is not null) return refusal;
        UploadedFile? upload = null;
        try
        {
            if (await store.GetCityAsync(city, ct) is null) return CityNotFound(city);
            upload = await UploadedFile.ReceiveAsync(request, options.MaxUploadBytes, options.TempDirectory, ct);
            var (layerImport, ingestOptions) = Describe(city, upload, options, caller);
            // The name is taken; whose it is, and whether it is sensitive, is not said (docs/security.md, "Who sees what").
            if (await store.GetLayerAsync(city, layerImport.Name, ct) is { } existing && !caller.MayModerate(existing))
                return Problems.Forbidden($"a layer named '{existing.Name}' exists in city '{city}' and you do not moderate it: only its organisation's moderators and admins may publish a new version of it. Choose another name (form field 'name').");
            if (layerImport.Owner != caller.Organisation && !caller.IsAdmin)
                return Problems.Forbidden("only an admin may publish a layer for another organisation; leave out 'owner'.");
            if (layerImport.Owner is { } owner && await accounts.GetOrganisationAsync(owner, ct) is null)
                return Problems.Of(InputError.NotFound, $"organisation '{owner}' does not exist.");
            var file = LayerFile.Open(upload.Path, upload.FileName, ingestOptions);
            // Refused now (a 4xx), also when the import is asked for in the background: not a 202 for a job that never starts.
            try { ImportDescription.CheckBeforeWriting(layerImport, file); }
            catch { file.Dispose(); throw; }
            if (PrefersAsync(request))
            {
                var jobId = Guid.NewGuid();
                var ownedUpload = upload;
                var ownedLease = lease;
                upload = null;
                lease = null; // the background import holds its slot until it ends
                _ = Task.Run(async () =>
                {
                    using (ownedLease)
                    using (ownedUpload)
                    using (file)
                    {
                        try
                        {
                            var imported = await store.ImportAsync(layerImport, file, jobId, cancellationToken: lifetime.ApplicationStopping);
                            tiles.Evict(imported.Id, city);
                        }
                        catch (Exception e) { loggers.CreateLogger("Imports").LogInformation("import {Job} failed: {Message}", jobId, e.Message); }
                    }
                }, CancellationToken.None);
                await WaitForJobRow(store, jobId, ct);
                return Results.Accepted($"/api/imports/{jobId}", await store.GetImportJobAsync(jobId, ct));
            }
            using (file)
            {
                var layer = await Task.Run(() => store.ImportAsync(layerImport, file, cancellationToken: ct), ct);
                tiles.Evict(layer.Id, city); // before the response: the next tile request sees the new version
                return Results.Created($"/api/layers/{layer.Id}", layer);
            }
        }
        finally
        {
            upload?.Dispose();
            lease?.Dispose();
        }
    }

    /// <summary>The upload's form fields as the one import description (Core/Layers/ImportDescription), the CLI's too.</summary>
    private static (LayerImport, IngestOptions) Describe(string city, UploadedFile upload, ServerOptions options, Caller caller)
    {
        var described = ImportDescription.From(new FormImportInputs(upload.Fields),
            new ImportOrigin(city, upload.FileName, upload.Sha256, upload.Bytes, caller.Name, caller.Organisation));
        var ingest = new IngestOptions(described.Crs, described.Encoding, described.SwapXY, described.Sublayer,
            options.MaxVerticesPerFeature, options.MaxUnpackedBytes);
        return (described.Layer, ingest);
    }

    private static bool PrefersAsync(HttpRequest request) =>
        request.Headers["Prefer"].Any(p => p is not null && p.Contains("respond-async", StringComparison.OrdinalIgnoreCase));

    private static async Task WaitForJobRow(LayerStore store, Guid jobId, CancellationToken ct)
    {
        for (var i = 0; i < 100 && await store.GetImportJobAsync(jobId, ct) is null; i++) await Task.Delay(20, ct);
    }

    private static async Task<IResult> Export(long id, string? format, HttpContext http, LayerStore store, LayerExport export, CancellationToken ct)
    {
        var response = http.Response;
        format = (format ?? "geojson").ToLowerInvariant();
        if (!LayerExport.Formats.ContainsKey(format))
            return Problems.Of(InputError.Malformed, $"format '{format}' is not offered: use one of {string.Join(", ", LayerExport.Formats.Keys)}.");
        if (await store.ReadableLayerAsync(id, http.Caller(), ct) is not { } layer) return NoSuchLayer(id);
        await export.WriteAsync(layer, format, response, !http.Caller().IsAuthenticated, ct);
        return Results.Empty;
    }
}
