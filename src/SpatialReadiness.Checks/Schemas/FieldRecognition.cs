using System.Globalization;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks.Schemas;

/// <summary>
/// Which field stands for a layer's key fields, chosen by content as well as by name, and why. The id of the layer's
/// kind (ward_no, slum_id, asset_id) and a slum's or asset's ward_no are contested: every field named like one of the
/// field's aliases is a candidate (for ward numbers also any field named like "ward", "prabhag" or a serial "sn"),
/// and the field whose values fit best wins, not the first alias: a ward layer's ward number should be filled, unique
/// and read as a number by sr_ward_key ("Ward-81" is 81), so a unique 227-value number field beats a 24-value letter
/// field beside it. A field set in the layer's field map (at import, or by a moderator afterwards) always wins.
/// Every mapped field gets a reason, shown in the readiness JSON (layers[].fieldMap) and the report.
/// </summary>
public static class FieldRecognition
{
    private const string Stats = """
        SELECT count(*),
               count(*) FILTER (WHERE nullif(btrim(f.attributes ->> @field), '') IS NOT NULL),
               count(DISTINCT sr_ward_key(nullif(btrim(f.attributes ->> @field), ''))),
               count(*) FILTER (WHERE sr_ward_key(f.attributes ->> @field) ~ '^[0-9]+[a-z]?$')
        FROM features f WHERE f.layer_id = @layer
        """;

    private static readonly string[] WardLike = ["ward", "prabhag", "sn", "sno", "slno", "srno"];

    public static async Task<CheckedLayer> ResolveAsync(ICheckDatabase database, CheckedLayer layer, CancellationToken cancellationToken)
    {
        var schema = layer.Schema;
        if (schema is null) return layer;
        var mapping = layer.Mapping;
        var choices = new List<FieldChoice>();
        foreach (var field in schema.Fields)
        {
            if (layer.Info.FieldMap.TryGetValue(field.Name, out var set))
            {
                choices.Add(new FieldChoice(field.Name, set, "set in the layer's field map"));
                continue;
            }
            var contested = field.Name == schema.IdField || field.Name == "ward_no";
            var candidates = contested ? Candidates(field, layer.Fields) : [];
            if (candidates.Count < 2)
            {
                if (mapping.Source(field.Name) is { } named)
                    choices.Add(new FieldChoice(field.Name, named, $"the only field named like {field.Name}"));
                continue;
            }
            var unique = field.Name == schema.IdField && layer.Kind == Core.Layers.LayerKind.Ward;
            var measured = new List<(string Field, double Score, string Facts)>();
            foreach (var candidate in candidates)
            {
                var row = (await database.QueryAsync(Stats, new Dictionary<string, object?> { ["layer"] = layer.Id, ["field"] = candidate }, cancellationToken))[0];
                var (n, filled, distinct, numeric) = (Convert.ToDouble(row[0]), Convert.ToDouble(row[1]), Convert.ToDouble(row[2]), Convert.ToDouble(row[3]));
                var fill = n == 0 ? 0 : filled / n;
                var uniqueness = filled == 0 ? 0 : distinct / filled;
                var numbers = filled == 0 ? 0 : numeric / filled;
                var wardShaped = field.Name == "ward_no";
                var score = fill * (unique || field.Name == schema.IdField && !wardShaped ? uniqueness : 1) + (wardShaped ? 0.25 * numbers : 0);
                var facts = string.Create(CultureInfo.InvariantCulture, $"'{candidate}': {filled:0} of {n:0} filled, {distinct:0} distinct");
                if (wardShaped) facts += string.Create(CultureInfo.InvariantCulture, $", {numeric:0} read as ward numbers");
                measured.Add((candidate, score, facts));
            }
            // Ties keep the alias order (candidates are listed in it).
            var best = measured.OrderByDescending(m => Math.Round(m.Score, 6)).First();
            mapping = mapping.With(field.Name, best.Field);
            choices.Add(new FieldChoice(field.Name, best.Field,
                $"chosen by content: {best.Facts}; over {string.Join("; ", measured.Where(m => m.Field != best.Field).Select(m => m.Facts))}"));
        }
        return layer with { Mapping = mapping, Choices = choices };
    }

    /// <summary>The layer's fields named like the canonical field, in the alias order, then other ward-like names.</summary>
    private static List<string> Candidates(SchemaField field, IReadOnlyList<string> fields)
    {
        var byName = fields.GroupBy(FieldMapping.Normalise).ToDictionary(g => g.Key, g => g.First());
        var list = field.Aliases.Prepend(field.Name).Select(FieldMapping.Normalise).Distinct()
            .Where(byName.ContainsKey).Select(a => byName[a]).ToList();
        if (field.Name == "ward_no")
            list.AddRange(fields.Where(f => !list.Contains(f) && WardLike.Any(w => FieldMapping.Normalise(f) == w
                || (w.Length > 3 && FieldMapping.Normalise(f).StartsWith(w, StringComparison.Ordinal) && !FieldMapping.Normalise(f).Contains("name", StringComparison.Ordinal)))));
        return list;
    }
}
