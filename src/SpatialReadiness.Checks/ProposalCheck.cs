using SpatialReadiness.Checks.Rules;
using SpatialReadiness.Checks.Schemas;
using SpatialReadiness.Checks.Warnings;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks;

/// <summary>
/// Checks a contribution when it arrives, with the same 4.e rules a city check runs: the city's boundary and wards are
/// built from the live layers, then the proposal is staged in place of its layer (the proposed features with their
/// neighbours: features within about a kilometre, and those sharing a proposed id), then every rule that judges
/// features one by one or against the city, the wards and their neighbours runs on it. Rules that judge a layer as a
/// whole (gaps and slivers in ward coverage, edge matching, ring orientation) are left to the city check. Findings go
/// to the session like a city check's; the caller keeps those about the proposed features.
/// </summary>
public sealed class ProposalCheck(ICheckDatabase database)
{
    public static readonly IReadOnlyList<Rule> Rules =
        RuleSet.Rules.Where(r => r is not (GapSliver or CoverageGap or WardNumberMissing or EdgeMismatch or RingOrientation)).ToList();

    public async Task RunAsync(ProposalCheckData data, CancellationToken cancellationToken)
    {
        var layers = new List<CheckedLayer>();
        foreach (var info in data.CityLayers)
            layers.Add(await FieldRecognition.ResolveAsync(database, CheckedLayer.From(info), cancellationToken));
        var city = await ReferenceTables.BuildAsync(database, CityCheck.Reference(layers, LayerKind.Boundary), CityCheck.Reference(layers, LayerKind.Ward),
            layers.Where(l => l.Kind == LayerKind.Exclusion).ToList(), cancellationToken);
        var layer = await FieldRecognition.ResolveAsync(database, CheckedLayer.From(data.Layer), cancellationToken);
        await data.StageAsync(layer.IdField, cancellationToken);
        var context = new RuleContext(database, layer, city);
        foreach (var rule in Rules.Where(r => r.AppliesTo(layer.Kind)))
            await rule.RunAsync(context, cancellationToken);
    }
}
