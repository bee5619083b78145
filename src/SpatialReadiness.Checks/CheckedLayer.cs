using SpatialReadiness.Checks.Schemas;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks;

/// <summary>A layer as the check sees it: identity, kind, its fields and which of them stand for the canonical ones.</summary>
public sealed record CheckedLayer(
    long Id,
    string Name,
    LayerKind Kind,
    string Title,
    int Version,
    long FeatureCount,
    IReadOnlyList<string> Fields,
    FieldMapping Mapping,
    LayerInfo Info)
{
    public LayerSchema? Schema => LayerSchema.For(Kind);

    /// <summary>Why each canonical field is read from the field it is (<see cref="FieldRecognition"/>).</summary>
    public IReadOnlyList<FieldChoice> Choices { get; init; } = [];

    /// <summary>The layer's own field for its kind's id (ward_no, slum_id, asset_id), or null.</summary>
    public string? IdField => Schema?.IdField is { } id ? Mapping.Source(id) : null;

    public static CheckedLayer From(LayerInfo info)
    {
        LayerKinds.TryParse(info.Kind, out var kind);
        var mapping = FieldMapping.Resolve(LayerSchema.For(kind), info.Fields, info.FieldMap);
        return new CheckedLayer(info.Id, info.Name, kind, info.Title, info.Version, info.FeatureCount, info.Fields, mapping, info);
    }
}

/// <summary>
/// What "the city" is for this run: the official boundary layer when there is one, else the union of the reference
/// ward layer with its holes filled. Held in the scratch table check_boundary; the reference wards in check_wards.
/// </summary>
public sealed record CityReference(string Source, CheckedLayer? BoundaryLayer, CheckedLayer? Wards, double AreaM2, int UtmSrid)
{
    public const string Official = "official boundary layer";
    public const string UnionOfWards = "union of the ward layer (holes filled)";
    public const string NoBoundary = "none: the city has no boundary and no ward layer";

    public bool Exists => AreaM2 > 0;
}
