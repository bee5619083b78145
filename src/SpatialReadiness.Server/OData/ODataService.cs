using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.OData.Edm;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.PostGis.Layers;
using SpatialReadiness.Server.Auth;

namespace SpatialReadiness.Server.OData;

/// <summary>One layer's own typed entity set: named "{city}_{layer}" (OData-safe), its fields typed from its data.</summary>
public sealed record LayerSet(string Name, LayerInfo Layer, IReadOnlyList<TypedField> Fields);

/// <summary>
/// The OData service as one reader sees it: the layers they may read (sensitive ones only when allowed, each with the
/// fields their view serves), the per-layer sets, and the model the service document, $metadata and every query are
/// answered from. Readers who see the same layers share one model.
/// </summary>
public sealed record ODataService(IEdmModel Model, IReadOnlyList<LayerInfo> Layers, IReadOnlyDictionary<string, LayerSet> LayerSets);

public sealed partial class ODataServices(LayerStore store, LayerFieldTypes fieldTypes)
{
    private readonly ConcurrentDictionary<string, ODataService> _models = new();

    /// <summary>Forgets every model (after a restore or a failover a version number may stand for other fields and access).</summary>
    public void Clear() => _models.Clear();

    public async Task<ODataService> ForAsync(Caller caller, CancellationToken cancellationToken)
    {
        var layers = await store.ReadableLayersAsync(caller, cancellationToken);
        // Layer versions change with every import, accepted edit and access change: a new version is a new model.
        var key = string.Join(",", layers.Select(l => $"{l.Id}:{l.Version}:{(l.Revealed ? 1 : 0)}"));
        if (_models.TryGetValue(key, out var known)) return known;
        var sets = new Dictionary<string, LayerSet>(StringComparer.Ordinal);
        foreach (var layer in layers.OrderBy(l => l.Id))
        {
            var types = await fieldTypes.ForAsync(layer, cancellationToken);
            var fields = FeatureSets.OpenFields(layer).Select(f => new TypedField(f.Key, f.Value, types.GetValueOrDefault(f.Value))).ToList();
            var name = SetName(layer);
            for (var n = 2; sets.ContainsKey(name); n++) name = $"{SetName(layer)}_{n}";
            sets[name] = new LayerSet(name, layer, fields);
        }
        var service = new ODataService(ODataModel.Build(sets.Values), layers, sets);
        if (_models.Count > 256) _models.Clear(); // old versions' models are never asked for again
        _models[key] = service;
        return service;
    }

    /// <summary>"pune" and "wards" make pune_wards, "navi-mumbai" and "ward-2011" navi_mumbai_ward_2011; a leading digit gets a "_".</summary>
    private static string SetName(LayerInfo layer)
    {
        var name = NotIdentifier().Replace($"{layer.City}_{layer.Name}", "_");
        return char.IsLetter(name[0]) ? name : "_" + name;
    }

    [GeneratedRegex(@"[^A-Za-z0-9_]")]
    private static partial Regex NotIdentifier();
}
