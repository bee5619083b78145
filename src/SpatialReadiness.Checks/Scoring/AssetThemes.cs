using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks.Scoring;

/// <summary>
/// Which asset themes (layers/schemas/asset.json: health, school, toilet, ...) an asset layer covers: from its
/// asset_type values, compared with each theme's names, and from the layer's own name or title ("ward offices").
/// </summary>
public static class AssetThemes
{
    private const string Values = """
        SELECT DISTINCT lower(btrim(f.attributes ->> @type_field)) FROM features f
        WHERE f.layer_id = @layer AND nullif(btrim(f.attributes ->> @type_field), '') IS NOT NULL
        """;

    public static IReadOnlyDictionary<string, IReadOnlyList<string>> All => LayerSchema.For(LayerKind.Asset)!.Themes!;

    public static async Task<IReadOnlyList<string>> FindAsync(ICheckDatabase database, CheckedLayer layer, CancellationToken cancellationToken)
    {
        var names = new List<string> { Words(layer.Name), Words(layer.Title) };
        if (layer.Mapping.Source("asset_type") is { } typeField)
        {
            var rows = await database.QueryAsync(Values, new Dictionary<string, object?> { ["layer"] = layer.Id, ["type_field"] = typeField }, cancellationToken);
            names.AddRange(rows.Select(r => Words((string)r[0]!)));
        }
        return All.Where(theme => names.Any(name => Matches(name, theme.Value))).Select(theme => theme.Key).ToList();
    }

    /// <summary>A value names a theme when it is one of the theme's names, or contains one as whole words.</summary>
    private static bool Matches(string value, IReadOnlyList<string> themeNames) =>
        themeNames.Any(n => value == Words(n) || $" {value} ".Contains($" {Words(n)} ", StringComparison.Ordinal));

    private static string Words(string text) =>
        string.Join(' ', text.ToLowerInvariant().Split([' ', '_', '-', '/', ','], StringSplitOptions.RemoveEmptyEntries));
}
