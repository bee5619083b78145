using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.Checks.Schemas;

/// <summary>One field of a canonical schema, with the names real layers give it.</summary>
public sealed record SchemaField(
    string Name,
    bool Required,
    bool Key,
    string Type,
    string Description,
    IReadOnlyList<string> Aliases,
    IReadOnlyList<string>? Domain = null);

/// <summary>
/// The canonical schema of a layer kind, read from layers/schemas/{kind}.json (embedded): which fields a layer of the
/// kind should carry, which are required (ATTR_MISSING), which identify a feature (ID_NOT_UNIQUE) and which make two
/// features the same record (DUPLICATE).
/// </summary>
public sealed record LayerSchema(
    string Kind,
    string Title,
    string Description,
    string? IdField,
    IReadOnlyList<SchemaField> Fields,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Themes = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { NumberHandling = JsonNumberHandling.Strict };
    private static readonly Lazy<IReadOnlyDictionary<LayerKind, LayerSchema>> All = new(Load);

    /// <summary>The schema of <paramref name="kind"/>; kind "other" has none.</summary>
    public static LayerSchema? For(LayerKind kind) => All.Value.GetValueOrDefault(kind);

    public SchemaField? Field(string name) => Fields.FirstOrDefault(f => f.Name == name);

    public IEnumerable<SchemaField> RequiredFields => Fields.Where(f => f.Required);

    private static IReadOnlyDictionary<LayerKind, LayerSchema> Load()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var schemas = new Dictionary<LayerKind, LayerSchema>();
        foreach (var kind in new[] { LayerKind.Ward, LayerKind.Slum, LayerKind.Building, LayerKind.Asset, LayerKind.Boundary })
        {
            using var stream = assembly.GetManifestResourceStream($"schemas.{kind.ToName()}.json")
                ?? throw new InvalidOperationException($"schema layers/schemas/{kind.ToName()}.json is not embedded");
            schemas[kind] = JsonSerializer.Deserialize<LayerSchema>(stream, Json)
                ?? throw new InvalidOperationException($"schema layers/schemas/{kind.ToName()}.json is empty");
        }
        return schemas;
    }
}
