using System.Diagnostics;
using SpatialReadiness.Checks.Rules;
using SpatialReadiness.Checks.Schemas;
using SpatialReadiness.Checks.Scoring;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks;

/// <summary>
/// Runs rule set v0 over one city: builds the reference boundary and wards, then for each layer the gates and each
/// rule that applies to its kind, recording findings and outcomes, then scores the city. Layers are checked in a
/// fixed order (boundary, wards, slums, assets, other; then by name) so the same input gives the same run.
/// </summary>
public sealed class CityCheck(ICheckDatabase database)
{
    private static readonly LayerKind[] KindOrder = [LayerKind.Boundary, LayerKind.Exclusion, LayerKind.Ward, LayerKind.Slum, LayerKind.Building, LayerKind.Asset, LayerKind.Other];

    public async Task<ReadinessScore> RunAsync(CityCheckData data, CancellationToken cancellationToken)
    {
        var layers = new List<CheckedLayer>();
        foreach (var info in data.Layers)
            layers.Add(await FieldRecognition.ResolveAsync(database, CheckedLayer.From(info), cancellationToken));
        layers = layers.OrderBy(l => Array.IndexOf(KindOrder, l.Kind)).ThenBy(l => l.Name, StringComparer.Ordinal).ToList();
        var boundary = Reference(layers, LayerKind.Boundary);
        var wards = Reference(layers, LayerKind.Ward);
        var steps = 1 + layers.Sum(l => 1 + RuleSet.Rules.Count(r => r.AppliesTo(l.Kind)));
        var done = 0;

        await database.ReportProgressAsync(done, steps, "preparing the city boundary and wards", cancellationToken);
        var city = await ReferenceTables.BuildAsync(database, boundary, wards, layers.Where(l => l.Kind == LayerKind.Exclusion).ToList(), cancellationToken);
        done++;

        var qualities = new List<LayerQuality>();
        var themes = new SortedSet<string>(StringComparer.Ordinal);
        var exclusionZones = (Declared: 0, DeclaredM2: 0.0, Candidates: 0, CandidatesM2: 0.0);
        foreach (var layer in layers)
        {
            var context = new RuleContext(database, layer, city);
            await database.ReportProgressAsync(done, steps, $"{layer.Name}: gates", cancellationToken);
            var gate = await LayerGates.RunAsync(context, cancellationToken);
            done++;
            var outcomes = new List<RuleOutcome>();
            foreach (var rule in RuleSet.Rules.Where(r => r.AppliesTo(layer.Kind)))
            {
                if (gate is null)
                {
                    await database.ReportProgressAsync(done, steps, $"{layer.Name}: {rule.Code}", cancellationToken);
                    outcomes.Add(await RunRuleAsync(rule, context, cancellationToken));
                }
                done++;
            }
            if (gate is null && layer == city.Wards && city.Exists)
                exclusionZones = await WardGaps.ZonesAsync(database, cancellationToken);
            if (gate is null && layer.Kind == LayerKind.Asset)
                themes.UnionWith(await AssetThemes.FindAsync(database, layer, cancellationToken));
            qualities.Add(LayerScorer.Score(data.City.Id, layer, gate, outcomes));
        }
        await database.ReportProgressAsync(done, steps, "scoring", cancellationToken);
        return CityScorer.Score(data, city, layers, qualities, themes, exclusionZones, await EngineVersionsAsync(cancellationToken));
    }

    /// <summary>The newest layer of the kind (by last import) is the city's reference for it.</summary>
    internal static CheckedLayer? Reference(List<CheckedLayer> layers, LayerKind kind) =>
        layers.Where(l => l.Kind == kind).OrderByDescending(l => l.Info.UpdatedAt).ThenByDescending(l => l.Id).FirstOrDefault();

    private static async Task<RuleOutcome> RunRuleAsync(Rule rule, RuleContext context, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var result = await rule.RunAsync(context, cancellationToken);
        var rate = result.ErrorRate;
        var lost = rule.Severity == Severity.Error && result.Applicable ? rule.Weight * Math.Min(1, rate / rule.Tolerance) : 0;
        return new RuleOutcome(rule.Code, rule.Title, rule.Weight, rule.Tolerance, result.Applicable, result.Note,
            result.Population, result.Offending, rate, lost, result.Findings, clock.ElapsedMilliseconds)
        {
            ScoredBy = result.ScoredByArea ? RuleOutcome.ByArea : RuleOutcome.ByFeatures,
            AreaM2 = result.AreaM2 is { } area ? Math.Round(area, 2) : null,
            OffendingAreaM2 = result.OffendingAreaM2 is { } offending ? Math.Round(offending, 2) : null,
        };
    }

    private async Task<string> EngineVersionsAsync(CancellationToken cancellationToken)
    {
        var row = (await database.QueryAsync(
            "SELECT current_setting('server_version'), postgis_lib_version(), postgis_geos_version(), postgis_proj_version()",
            new Dictionary<string, object?>(), cancellationToken))[0];
        var nts = typeof(NetTopologySuite.Geometries.Geometry).Assembly.GetName().Version;
        return $"PostgreSQL {row[0]}, PostGIS {row[1]}, GEOS {row[2]}, PROJ {row[3]}, NetTopologySuite {nts}";
    }
}
