using System.Text.Json.Nodes;
using SpatialReadiness.Core.Contributions;
using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.Server.Contributions;

/// <summary>
/// Contributions, conflicts and feature histories as the API shows them to one reader: each state of a feature as a
/// GeoJSON Feature (id, version, geometry, properties), each change with its before/after diff, findings with their
/// location. <paramref name="view"/> arguments are the layer as the reader may see it: withheld fields never appear.
/// </summary>
public static class ContributionJson
{
    public static JsonObject Of(Contribution c, LayerInfo view) => new()
    {
        ["id"] = c.Id,
        ["layerId"] = c.LayerId,
        ["city"] = c.City,
        ["layer"] = c.Layer,
        ["state"] = c.State.ToName(),
        ["channel"] = c.Channel.ToName(),
        ["author"] = c.Author,
        ["organisation"] = c.Organisation,
        ["licence"] = c.Licence,
        ["comment"] = c.Comment,
        ["source"] = c.Source,
        ["reverts"] = c.Reverts,
        ["createdAt"] = c.CreatedAt,
        ["reviewer"] = c.Reviewer,
        ["reviewNote"] = c.ReviewNote,
        ["reviewedAt"] = c.ReviewedAt,
        ["layerVersion"] = c.LayerVersion,
        ["changes"] = new JsonArray(c.Changes.Select(change => (JsonNode)Change(change, view)).ToArray()),
        ["findings"] = new JsonArray(Findings(c, view).Select(f => (JsonNode)new JsonObject
        {
            ["change"] = f.Change,
            ["rule"] = f.Rule,
            ["severity"] = f.Severity,
            ["detail"] = f.Detail,
            ["location"] = Parse(f.LocationJson),
        }).ToArray()),
        ["links"] = new JsonArray(
            Link("self", $"/api/contributions/{c.Id}"),
            Link("layer", $"/api/layers/{c.LayerId}"),
            Link("items", $"/ogc/collections/{c.City}__{c.Layer}/items")),
    };

    /// <summary>
    /// The findings this reader may see: none built from a field withheld from them. Left out, not redacted: whether
    /// such a finding exists (an id shared, a duplicate) would answer a guess at the hidden value made by proposing it.
    /// </summary>
    public static IEnumerable<ContributionFinding> Findings(Contribution c, LayerInfo view)
    {
        var withheld = view.WithheldFields.ToHashSet(StringComparer.Ordinal);
        return c.Findings.Where(f => !f.Basis.Touches(withheld));
    }

    private static JsonObject Change(FeatureChange change, LayerInfo view) => new()
    {
        ["ordinal"] = change.Ordinal,
        ["action"] = change.Action.ToName(),
        ["featureId"] = change.FeatureId,
        ["baseVersion"] = change.BaseVersion,
        ["version"] = change.Version,
        ["before"] = Feature(change.FeatureId, change.Before, view),
        ["after"] = Feature(change.FeatureId, change.After, view),
        ["diff"] = new JsonObject
        {
            ["geometry"] = change.GeometryChanged,
            ["attributes"] = new JsonArray(AttributeDiff.Compare(change.Before?.AttributesJson, change.After?.AttributesJson, view.WithheldFields.ToHashSet())
                .Select(d => (JsonNode)new JsonObject
                {
                    ["field"] = d.Field,
                    ["before"] = d.Before is { } b ? JsonNode.Parse(b.GetRawText()) : null,
                    ["after"] = d.After is { } a ? JsonNode.Parse(a.GetRawText()) : null,
                }).ToArray()),
        },
    };

    /// <summary>The changes that conflicted: what the contributor started from, what is there now, and what they proposed.</summary>
    public static JsonArray Conflicts(IReadOnlyList<VersionConflict> conflicts, LayerInfo view) =>
        new(conflicts.Select(c => (JsonNode)new JsonObject
        {
            ["change"] = c.Change,
            ["featureId"] = c.FeatureId,
            ["baseVersion"] = c.BaseVersion,
            ["currentVersion"] = c.CurrentVersion,
            ["base"] = Feature(c.FeatureId, c.Base, view),
            ["current"] = Feature(c.FeatureId, c.Current, view),
            ["proposed"] = Feature(c.FeatureId, c.Proposed, view),
        }).ToArray());

    public static JsonObject History(long layerId, long featureId, IReadOnlyList<FeatureVersion> versions, LayerInfo view) => new()
    {
        ["layerId"] = layerId,
        ["featureId"] = featureId,
        ["versions"] = new JsonArray(versions.Select(v => (JsonNode)new JsonObject
        {
            ["version"] = v.State.Version,
            ["deleted"] = v.State.Deleted,
            ["contribution"] = v.Contribution,
            ["by"] = v.By,
            ["organisation"] = v.Organisation,
            ["at"] = v.At,
            ["feature"] = Feature(featureId, v.State, view),
        }).ToArray()),
    };

    /// <summary>A state as a GeoJSON Feature with its version; null when there is none or it is a deletion.</summary>
    public static JsonObject? Feature(long? id, FeatureState? state, LayerInfo view)
    {
        if (state is null || state.Deleted) return null;
        var properties = Parse(state.AttributesJson) as JsonObject ?? [];
        foreach (var field in view.WithheldFields) properties.Remove(field);
        return new JsonObject
        {
            ["type"] = "Feature",
            ["id"] = id,
            ["version"] = state.Version,
            ["geometry"] = Parse(state.GeometryJson),
            ["properties"] = properties,
        };
    }

    private static JsonNode? Parse(string? json) => json is null ? null : JsonNode.Parse(json);

    private static JsonObject Link(string rel, string href) => new() { ["rel"] = rel, ["href"] = href };
}
