using SpatialReadiness.Core.Accounts;
using SpatialReadiness.Core.Contributions;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Ingest;
using SpatialReadiness.PostGis.Contributions;
using SpatialReadiness.PostGis.Features;
using SpatialReadiness.Server.Auth;
using SpatialReadiness.Server.Contributions;
using SpatialReadiness.Server.Tiles;
using SpatialReadiness.Server.Uploads;

namespace SpatialReadiness.Server.OgcFeatures;

/// <summary>
/// Part 4: POST /items, PUT, PATCH (JSON merge patch) and DELETE /items/{fid} on editable layers, each made a
/// contribution (channel ogc) so every edit is checked, versioned and kept in history. A moderator of the layer edits
/// directly: the contribution is accepted at once and the answer is Part 4's (201 with the item's Location, 204), after
/// the layer's tiles are dropped. A contributor's write waits for review: 202 Accepted, Location of the contribution
/// (/api/contributions/{id}). The body passes the import's checks (<see cref="FeatureInput"/>); If-Match is honoured
/// when sent (412 on a stale tag) and never required (QGIS sends none); 409 when the feature changed meanwhile.
/// </summary>
public static class FeatureWrites
{
    public static readonly IReadOnlyList<string> ConformanceClasses =
    [
        "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
        "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
        "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/features",
    ];

    public const string ReadOnly = "GET, HEAD, OPTIONS";

    /// <summary>The Allow header of /items: POST there is what makes QGIS offer editing.</summary>
    public static string ItemsAllow(LayerInfo layer) => layer.Editable ? "GET, HEAD, POST, OPTIONS" : ReadOnly;

    public static string ItemAllow(LayerInfo layer) => layer.Editable ? "GET, HEAD, PUT, PATCH, DELETE, OPTIONS" : ReadOnly;

    /// <param name="layer">The layer as the caller may see it.</param>
    public static async Task<IResult> WriteAsync(HttpContext http, LayerInfo layer, long? fid, FeatureWriter writer, ContributionStore contributions, TileCatalog tiles, ServerOptions options)
    {
        var request = http.Request;
        var method = request.Method;
        var id = CollectionIds.Of(layer);
        if (!layer.Editable)
        {
            http.Response.Headers.Allow = fid is null ? ItemsAllow(layer) : ItemAllow(layer);
            return Problems.Make(StatusCodes.Status405MethodNotAllowed, "Not editable", "NotEditable",
                $"collection '{id}' is read-only; its features can only be read. A moderator of the layer can open it to edits (PATCH /api/layers/{layer.Id}/access with \"editable\": true).");
        }
        var caller = http.Caller();
        if (!caller.MayContribute(layer)) return Problems.Forbidden($"{caller.Name} is a {caller.Role.ToName()}; editing needs a contributor or above.");
        var crs = OgcCrs.Crs84;
        if (request.Headers["Content-Crs"].ToString() is { Length: > 0 } header)
            crs = OgcCrs.Parse(header) ?? throw new OgcException($"Content-Crs {header} is not supported; use one of {OgcCrs.SupportedList}.");
        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (method != HttpMethods.Delete)
        {
            string[] accepted = HttpMethods.IsPatch(method) ? ["application/merge-patch+json", "application/json"] : [OgcLinks.GeoJson, OgcLinks.Json];
            if (!accepted.Contains(mediaType))
                return Problems.Make(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "UnsupportedFormat",
                    $"send the feature as {string.Join(" or ", accepted)} (Content-Type was '{request.ContentType}').");
        }
        try
        {
            var body = await RequestBody.ReadAsync(request, options.MaxUploadBytes, http.RequestAborted);
            int? baseVersion = null;
            if (fid is { } existing)
            {
                if (await writer.CurrentAsync(layer, existing, http.RequestAborted) is not var (tag, version))
                    return Problems.Of(InputError.NotFound, $"feature {fid} does not exist in collection '{id}'.");
                var ifMatch = request.Headers.IfMatch.Count > 0 ? request.Headers.IfMatch.ToString() : null;
                if (ifMatch is not null && !Matches(ifMatch, tag))
                {
                    http.Response.Headers.ETag = Quote(tag);
                    return Problems.Make(StatusCodes.Status412PreconditionFailed, "Precondition failed", "PreconditionFailed",
                        $"feature {fid} changed since you read it (If-Match {ifMatch}, now {Quote(tag)}); read it again, then retry. Nothing was written.");
                }
                baseVersion = version;
            }
            var input = method == HttpMethods.Delete ? null
                : FeatureInput.Read(body, crs.Srid, crs.LatitudeFirst, options.MaxVerticesPerFeature, partial: HttpMethods.IsPatch(method));
            ProposedChange change = method switch
            {
                _ when HttpMethods.IsPost(method) => ProposedChange.Create(input!.PropertiesJson, input.Geometry!),
                // PUT replaces the attributes, but not the withheld ones the writer could not see.
                _ when HttpMethods.IsPut(method) => new(ChangeAction.Modify, fid, baseVersion, input!.PropertiesJson, input.Geometry,
                    ReplaceProperties: true, KeptProperties: layer.WithheldFields),
                _ when HttpMethods.IsPatch(method) => new(ChangeAction.Modify, fid, baseVersion, input!.PropertiesJson, input.Geometry, input.NullProperties),
                _ => ProposedChange.Delete(fid!.Value, baseVersion),
            };
            var operation = $"{method} /ogc/collections/{id}/items{(fid is null ? "" : "/" + fid)}";
            var source = crs == OgcCrs.Crs84 ? operation : $"{operation} (Content-Crs {crs.Uri})";
            var contribution = await contributions.SubmitAsync(
                new ContributionRequest(layer.Id, Channel.Ogc, [change], Source: source, SourceSha256: RequestBody.Sha256(body), SourceBytes: body.Length),
                caller, Review.Check, http.RequestAborted);
            if (!caller.MayModerate(layer))
                return Results.Accepted($"/api/contributions/{contribution.Id}", ContributionJson.Of(contribution, layer));
            var accepted = await Review.AcceptAsync(contributions, tiles, contribution, caller, "direct edit over OGC API - Features by a moderator of the layer", http.RequestAborted);
            var featureId = accepted.Changes[0].FeatureId!.Value;
            if (await writer.CurrentAsync(layer, featureId, http.RequestAborted) is var (newTag, _)) http.Response.Headers.ETag = Quote(newTag);
            return HttpMethods.IsPost(method)
                ? Results.Created($"{OgcLinks.For(request).Url($"/collections/{id}/items/{featureId}")}", null)
                : Results.NoContent();
        }
        catch (ConflictException e)
        {
            return Review.Conflict(e, layer);
        }
    }

    public static string Quote(string tag) => $"\"{tag}\"";

    /// <summary>If-Match: "*" or a list of entity tags, weak (W/) ones included, compared by value.</summary>
    private static bool Matches(string ifMatch, string tag) =>
        ifMatch.Split(',').Select(t => t.Trim()).Any(t => t == "*" || t.TrimStart('W', '/').Trim('"') == tag);
}
