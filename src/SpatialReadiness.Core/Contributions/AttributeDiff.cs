using System.Text.Json;

namespace SpatialReadiness.Core.Contributions;

/// <summary>One attribute a change adds (Before null), removes (After null) or alters.</summary>
public sealed record AttributeChange(string Field, JsonElement? Before, JsonElement? After);

/// <summary>
/// The attribute side of a before/after diff, field by field in the order they appear (before's, then new ones),
/// values compared as JSON (1 and 1.0 are equal; "1" and 1 are not). Withheld fields are left out: a diff never shows
/// what its reader may not see.
/// </summary>
public static class AttributeDiff
{
    public static IReadOnlyList<AttributeChange> Compare(string? beforeJson, string? afterJson, IReadOnlyCollection<string> withheld)
    {
        var before = Members(beforeJson);
        var after = Members(afterJson);
        var changes = new List<AttributeChange>();
        foreach (var field in before.Keys.Concat(after.Keys.Where(k => !before.ContainsKey(k))))
        {
            if (withheld.Contains(field)) continue;
            var had = before.TryGetValue(field, out var old);
            var has = after.TryGetValue(field, out var now);
            if (had && has && JsonElement.DeepEquals(old, now)) continue;
            changes.Add(new AttributeChange(field, had ? old : null, has ? now : null));
        }
        return changes;
    }

    private static Dictionary<string, JsonElement> Members(string? json)
    {
        var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (json is null) return members;
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object) return members;
        foreach (var member in document.RootElement.EnumerateObject()) members[member.Name] = member.Value.Clone();
        return members;
    }
}
