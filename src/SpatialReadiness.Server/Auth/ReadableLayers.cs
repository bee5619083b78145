using SpatialReadiness.Core.Accounts;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.PostGis.Layers;

namespace SpatialReadiness.Server.Auth;

/// <summary>What the feeds (OGC API, OData) list for a caller: every layer they may read, each as they may see it.</summary>
public static class ReadableLayers
{
    public static async Task<IReadOnlyList<LayerInfo>> ReadableLayersAsync(this LayerStore store, Caller caller, CancellationToken cancellationToken = default) =>
        caller.IsAdmin || caller.Organisation is not null && caller.Role >= Role.Contributor
            ? (await store.ListAllLayersAsync(cancellationToken)).Select(caller.View).Where(l => !l.Withheld).ToList()
            : await store.ListPublicLayersAsync(cancellationToken);

    /// <summary>The layers whose sensitive data the caller may see (for findings rendered in SQL: PostGis.Readiness.FindingView).</summary>
    public static async Task<IReadOnlyList<long>> RevealedLayerIdsAsync(this LayerStore store, Caller caller, CancellationToken cancellationToken = default) =>
        caller.IsAdmin || caller.Organisation is not null && caller.Role >= Role.Contributor
            ? (await store.ReadableLayersAsync(caller, cancellationToken)).Where(l => l.Revealed).Select(l => l.Id).ToList()
            : [];
}
