using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.Core.Readiness;

/// <summary>
/// What checking a contribution on arrival needs: the city's layers (its boundary and wards are built from them), the
/// layer the contribution changes, and the step that stages the proposal in place of that layer's features, after
/// which the rules see the proposed features among their neighbours and nothing else. <c>StageAsync</c> takes the
/// layer's id field (slum_id, ...) so features sharing a proposed id are staged too.
/// </summary>
public sealed record ProposalCheckData(IReadOnlyList<LayerInfo> CityLayers, LayerInfo Layer, Func<string?, CancellationToken, Task> StageAsync);
