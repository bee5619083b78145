using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.Core.Readiness;

/// <summary>Everything a check run reads besides the features: the city, its layers and its declared planning uses.</summary>
public sealed record CityCheckData(Guid RunId, CityInfo City, IReadOnlyList<LayerInfo> Layers, IReadOnlyList<PlanningUse> PlanningUses, DateTimeOffset AsOf);

/// <summary>
/// A plan, DPR or dashboard the city declares it made with its layers (B4 of the score). Declared, not measured:
/// the score labels it so.
/// </summary>
public sealed record PlanningUse(long Id, string City, string Title, string DocumentUrl, IReadOnlyList<string> Layers, string DeclaredBy, DateTimeOffset DeclaredAt);
