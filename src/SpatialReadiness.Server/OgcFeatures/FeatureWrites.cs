using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Ingest;
using SpatialReadiness.PostGis.Features;
using SpatialReadiness.Server.Endpoints;
using SpatialReadiness.Server.Tiles;

namespace SpatialReadiness.Server.OgcFeatures;

/// <summary>
/// Part 4: POST /items, PUT, PATCH (JSON merge patch) and DELETE /items/{fid} on editable layers. The body passes the
/// import's checks (<see cref="FeatureInput"/>); If-Match is honoured when sent and never required (QGIS sends none);
/// the layer's tiles are dropped before the response, so the next tile shows the edit.
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

    public static async Task<IResult> WriteAsync(HttpContext http, LayerInfo layer, long? fid, FeatureWriter writer, TileCatalog tiles, ServerOptions options)
    {
        var request = http.Request;
        var method = request.Method;
        var id = CollectionIds.Of(layer);
        if (!layer.Editable)
        {
            http.Response.Headers.Allow = fid is null ? ItemsAllow(layer) : ItemAllow(layer);
            return Problem(StatusCodes.Status405MethodNotAllowed, "Not editable", "NotEditable",
                $"collection '{id}' is read-only; its features can only be read. A layer is editable when imported with editable=true (srd import --editable).");
        }
        var crs = OgcCrs.Crs84;
        if (request.Headers["Content-Crs"].ToString() is { Length: > 0 } header)
            crs = OgcCrs.Parse(header) ?? throw new OgcException($"Content-Crs {header} is not supported; use one of {OgcCrs.SupportedList}.");
        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (method != HttpMethods.Delete)
        {
            string[] accepted = HttpMethods.IsPatch(method) ? ["application/merge-patch+json", "application/json"] : [OgcLinks.GeoJson, OgcLinks.Json];
            if (!accepted.Contains(mediaType))
                return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "UnsupportedFormat",
                    $"send the feature as {string.Join(" or ", accepted)} (Content-Type was '{request.ContentType}').");
        }
        var body = await ReadBodyAsync(request, options.MaxUploadBytes, http.RequestAborted);
        var edit = new FeatureEdit("anonymous", $"{method} /ogc/collections/{id}/items{(fid is null ? "" : "/" + fid)}", crs.Uri, body);
        var ifMatch = request.Headers.IfMatch.Count > 0 ? request.Headers.IfMatch.ToString() : null;
        WriteResult result;
        try
        {
            FeatureInput? input = method == HttpMethods.Delete ? null
                : FeatureInput.Read(body, crs.Srid, crs.LatitudeFirst, options.MaxVerticesPerFeature, partial: HttpMethods.IsPatch(method));
            result = method switch
            {
                _ when HttpMethods.IsPost(method) => await writer.CreateAsync(layer, input!.PropertiesJson, input.Geometry!, edit, http.RequestAborted),
                _ when HttpMethods.IsPut(method) => await writer.ReplaceAsync(layer, fid!.Value, input!.PropertiesJson, input.Geometry!, ifMatch, edit, http.RequestAborted),
                _ when HttpMethods.IsPatch(method) => await writer.PatchAsync(layer, fid!.Value, input!.PropertiesJson, input.NullProperties, input.Geometry, ifMatch, edit, http.RequestAborted),
                _ => await writer.DeleteAsync(layer, fid!.Value, ifMatch, edit, http.RequestAborted),
            };
        }
        catch (InputException e)
        {
            return Problems.From(e);
        }
        tiles.Evict(layer.Id, layer.City); // before the response: the next tile request sees the edit
        if (result.ETag is not null) http.Response.Headers.ETag = Quote(result.ETag);
        return result.Outcome switch
        {
            WriteOutcome.NotFound => Problems.Of(InputError.NotFound, $"feature {fid} does not exist in collection '{id}'."),
            WriteOutcome.PreconditionFailed => Problem(StatusCodes.Status412PreconditionFailed, "Precondition failed", "PreconditionFailed",
                $"feature {fid} changed since you read it (If-Match {ifMatch}, now {Quote(result.ETag!)}); read it again, then retry. Nothing was written."),
            _ when HttpMethods.IsPost(method) => Results.Created($"{OgcLinks.For(request).Url($"/collections/{id}/items/{result.Id}")}", null),
            _ => Results.NoContent(),
        };
    }

    public static string Quote(string tag) => $"\"{tag}\"";

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, long max, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > max) throw new OgcException($"the feature is larger than {max >> 20} MiB (SR_MAX_UPLOAD_MB).", StatusCodes.Status413PayloadTooLarge);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    public static IResult Problem(int status, string title, string code, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title, type: "https://spatialreadiness.org/problems/" + code.ToLowerInvariant(),
            extensions: new Dictionary<string, object?> { ["code"] = code });
}
