using SpatialReadiness.Core.Ingest;

namespace SpatialReadiness.Checks.Schemas;

/// <summary>
/// Which of a layer's own fields stands for each canonical field. The uploader's explicit map wins; otherwise the
/// first alias (in the schema's order) that the layer has, compared without case, spaces, '_' or '-'
/// ("Ward No" = "ward_no" = "WARDNO").
/// </summary>
public sealed class FieldMapping
{
    private readonly Dictionary<string, string> _sourceByCanonical;

    private FieldMapping(Dictionary<string, string> sourceByCanonical) => _sourceByCanonical = sourceByCanonical;

    public static readonly FieldMapping None = new([]);

    /// <summary>The layer's field that holds <paramref name="canonical"/>, or null when it has none.</summary>
    public string? Source(string canonical) => _sourceByCanonical.GetValueOrDefault(canonical);

    public IReadOnlyDictionary<string, string> AsDictionary() => _sourceByCanonical;

    /// <summary>This mapping with <paramref name="canonical"/> read from <paramref name="source"/>.</summary>
    public FieldMapping With(string canonical, string source) => new(new Dictionary<string, string>(_sourceByCanonical) { [canonical] = source });

    public static FieldMapping Resolve(LayerSchema? schema, IReadOnlyList<string> layerFields, IReadOnlyDictionary<string, string>? explicitMap)
    {
        var mapping = new Dictionary<string, string>();
        if (schema is null) return new FieldMapping(mapping);
        var byNormalName = new Dictionary<string, string>();
        foreach (var field in layerFields) byNormalName.TryAdd(Normalise(field), field);
        foreach (var field in schema.Fields)
        {
            if (explicitMap is not null && explicitMap.TryGetValue(field.Name, out var chosen))
            {
                mapping[field.Name] = chosen;
                continue;
            }
            foreach (var alias in field.Aliases.Prepend(field.Name))
                if (byNormalName.TryGetValue(Normalise(alias), out var source))
                {
                    mapping[field.Name] = source;
                    break;
                }
        }
        return new FieldMapping(mapping);
    }

    /// <summary>
    /// Reads an uploader's map "ward_no=Ward Num,ward_name=NAME" and checks it against the kind's schema; throws an <see cref="InputException"/> naming what is wrong.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Parse(string? text, LayerSchema? schema)
    {
        var map = new Dictionary<string, string>();
        if (string.IsNullOrWhiteSpace(text)) return map;
        if (schema is null)
            throw new InputException(InputError.Malformed, "a field map applies to ward, slum, asset and boundary layers; this kind has no canonical schema.");
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = pair.IndexOf('=');
            if (equals <= 0 || equals == pair.Length - 1)
                throw new InputException(InputError.Malformed, $"field map entry '{pair}' is not canonical=source (e.g. ward_no=Ward Num).");
            var canonical = pair[..equals].Trim();
            if (schema.Field(canonical) is null)
                throw new InputException(InputError.Malformed,
                    $"field map names '{canonical}', which is not a field of the {schema.Kind} schema ({string.Join(", ", schema.Fields.Select(f => f.Name))}).");
            map[canonical] = pair[(equals + 1)..].Trim();
        }
        return map;
    }

    public static string Normalise(string name) =>
        new(name.Where(c => c is not (' ' or '_' or '-')).Select(char.ToLowerInvariant).ToArray());
}
