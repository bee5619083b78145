using System.Text.Json;
using SpatialReadiness.Core.Contributions;
using SpatialReadiness.Ingest;

namespace SpatialReadiness.Server.Contributions;

/// <summary>
/// A contribution drawn or edited in the viewer (or sent by a script), as JSON:
/// <code>
/// {"comment": "...", "licence": "CC BY 4.0" (default: the layer's), "changes": [
///   {"action": "create", "feature": {"type": "Feature", "geometry": {...}, "properties": {...}}},
///   {"action": "modify", "featureId": 12, "baseVersion": 3, "feature": {"geometry": {...}, "properties": {"name": "new", "old_field": null}}},
///   {"action": "delete", "featureId": 13, "baseVersion": 1}]}
/// </code>
/// Geometry in CRS84 (lon/lat), held to the same checks as any write (GeoJSON, in India, vertex limit). A modify's
/// properties are a JSON merge patch (null removes a field) and its geometry, if given, replaces the feature's.
/// </summary>
public static class ContributionInput
{
    public static ContributionRequest Read(long layerId, byte[] body, long maxVertices, string source, string sha256)
    {
        var root = FeatureInput.ParseBody(body);
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("changes", out var changes) || changes.ValueKind != JsonValueKind.Array)
            throw new InputException(InputError.Malformed, "send {\"comment\": \"...\", \"changes\": [{\"action\": \"create\", \"feature\": {...}}, ...]}.");
        var proposed = changes.EnumerateArray().Select((change, i) => Change(change, i + 1, maxVertices)).ToList();
        return new ContributionRequest(layerId, Channel.Api, proposed, Text(root, "comment"), Text(root, "licence"), source, sha256, body.Length);
    }

    private static ProposedChange Change(JsonElement change, int ordinal, long maxVertices)
    {
        if (change.ValueKind != JsonValueKind.Object) throw Bad(ordinal, "is not an object");
        var actionText = Text(change, "action");
        if (!ContributionNames.TryParse<ChangeAction>(actionText, out var action))
            throw Bad(ordinal, $"has action '{actionText}'; use one of {ContributionNames.Names<ChangeAction>()}");
        FeatureInput? feature = null;
        if (change.TryGetProperty("feature", out var featureJson) && featureJson.ValueKind != JsonValueKind.Null)
        {
            try
            {
                feature = FeatureInput.Read(JsonSerializer.SerializeToUtf8Bytes(featureJson), 4326, latitudeFirst: false, maxVertices, partial: action == ChangeAction.Modify);
            }
            catch (InputException e)
            {
                throw new InputException(e.Code, $"change {ordinal}: {e.Message}");
            }
        }
        if (action == ChangeAction.Create)
            return feature is null ? throw Bad(ordinal, "creates a feature but has no \"feature\"") : ProposedChange.Create(feature.PropertiesJson, feature.Geometry!);
        var id = Number(change, "featureId", ordinal);
        var baseVersion = (int)Number(change, "baseVersion", ordinal);
        return action == ChangeAction.Delete
            ? ProposedChange.Delete(id, baseVersion)
            : new ProposedChange(ChangeAction.Modify, id, baseVersion, feature?.PropertiesJson ?? "{}", feature?.Geometry, feature?.NullProperties);
    }

    private static long Number(JsonElement change, string name, int ordinal) =>
        change.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number > 0 ? number
            : throw Bad(ordinal, $"needs \"{name}\" (a whole number{(name == "baseVersion" ? ": the version the change was made on, from the feature's history or OGC item" : "")})");

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static InputException Bad(int ordinal, string what) => new(InputError.Unprocessable, $"change {ordinal} {what}.");
}
