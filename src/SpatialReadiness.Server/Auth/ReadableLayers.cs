using SpatialReadiness.Core.Accounts;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.PostGis.Layers;

namespace SpatialReadiness.Server.Auth;

/// <summary>
/// What a caller may read, each as they may see it: every interface looks layers up here, so a sensitive layer withheld
/// from a reader is, for them, exactly a layer that does not exist (null, absent from lists; the endpoint answers 404
/// as it does for an unknown id).
/// </summary>
public static class ReadableLayers
{
    /// <summary>The layer as the caller may see it; null when there is none or it is withheld from them.</summary>
    public static async Task<LayerInfo?> ReadableLayerAsync(this LayerStore store, long id, Caller caller, CancellationToken cancellationToken = default) =>
        await store.GetLayerAsync(id, cancellationToken) is { } layer && caller.View(layer) is { Withheld: false } view ? view : null;

    /// <summary>The city's layers the caller may read, each as they may see it.</summary>
    public static async Task<IReadOnlyList<LayerInfo>> ReadableLayersAsync(this LayerStore store, string city, Caller caller, CancellationToken cancellationToken = default) =>
        (await store.ListLayersAsync(city, cancellationToken)).Select(caller.View).Where(l => !l.Withheld).ToList();

    /// <summary>The city's layers withheld from the caller (for redacting texts that were written for everyone: Readiness.ScoreView).</summary>
    public static async Task<IReadOnlyList<LayerInfo>> WithheldLayersAsync(this LayerStore store, string city, Caller caller, CancellationToken cancellationToken = default) =>
        (await store.ListLayersAsync(city, cancellationToken)).Where(l => caller.View(l).Withheld).ToList();

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
