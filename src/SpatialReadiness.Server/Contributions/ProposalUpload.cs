using System.Text.Json;
using SpatialReadiness.Checks;
using SpatialReadiness.Core.Contributions;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Ingest;
using SpatialReadiness.PostGis.Contributions;
using SpatialReadiness.Server.Uploads;

namespace SpatialReadiness.Server.Contributions;

/// <summary>
/// A file proposed for a layer (any format an import reads, same form fields: crs, encoding, swapXY, sublayer; plus
/// comment and licence): each feature whose id (the layer's slum_id, ward_no, asset_id field) names exactly one
/// existing feature proposes a change to it (its attributes merged in, its geometry replacing), every other feature an
/// addition. A file never deletes: a feature missing from it may simply be outside the survey. When the id field is
/// withheld from the proposer (<paramref name="view"/> is the layer as they see it), nothing is matched: every feature
/// is an addition, so a file cannot be used to learn which hidden ids exist.
/// </summary>
public static class ProposalUpload
{
    public static async Task<ContributionRequest> ReadAsync(UploadedFile upload, LayerInfo view, ContributionStore store, ServerOptions options, CancellationToken cancellationToken)
    {
        string? Field(string name) => upload.Fields.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
        var ingest = new IngestOptions(Field("crs"), Field("encoding"), Field("swapXY") is "true" or "1" or "on", Field("sublayer"),
            options.MaxVerticesPerFeature, options.MaxUnpackedBytes);
        var features = new List<SourceFeature>();
        using (var file = LayerFile.Open(upload.Path, upload.FileName, ingest))
        {
            foreach (var feature in file.Features(cancellationToken))
            {
                if (features.Count == ContributionStore.MaxChanges)
                    throw new InputException(InputError.TooLarge, $"a proposal may hold at most {ContributionStore.MaxChanges:N0} features; split the file.");
                if (feature.Geometry is null || feature.Geometry.IsEmpty)
                    throw new InputException(InputError.Unprocessable, $"feature {feature.Ordinal} of {upload.FileName} has no geometry; every proposed feature needs one.");
                features.Add(feature);
            }
            file.Finish();
        }
        var layer = view;
        var idField = CheckedLayer.From(layer).IdField is { } field && !view.WithheldFields.Contains(field) ? field : null;
        var keys = features.Select(f => idField is null ? null : Key(f.AttributesJson, idField)).ToList();
        var matches = idField is null ? new Dictionary<string, long>()
            : await store.FeaturesByAttributeAsync(layer.Id, idField, keys.OfType<string>().Distinct().ToList(), cancellationToken);
        var changes = features.Select((f, i) => keys[i] is { } key && matches.TryGetValue(key, out var id)
            ? new ProposedChange(ChangeAction.Modify, id, null, f.AttributesJson, f.Geometry)
            : ProposedChange.Create(f.AttributesJson, f.Geometry!)).ToList();
        return new ContributionRequest(layer.Id, Channel.Upload, changes, Field("comment"), Field("licence"), upload.FileName, upload.Sha256, upload.Bytes);
    }

    private static string? Key(string attributesJson, string field)
    {
        using var document = JsonDocument.Parse(attributesJson);
        return document.RootElement.TryGetProperty(field, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() is { Length: > 0 } text ? text : null,
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;
    }
}
