using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks.Scoring;

/// <summary>
/// A layer's quality Q (0-100): 0 when a gate failed; else 100 x sum(weight - lost) / sum(weight) over the scored
/// rules that applied. Each offending feature costs weight / (population x tolerance) until the rule's cap.
/// </summary>
public static class LayerScorer
{
    public static LayerQuality Score(string city, CheckedLayer layer, string? gate, IReadOnlyList<RuleOutcome> outcomes)
    {
        var scored = outcomes.Where(o => o.Weight > 0).ToList();
        var counted = scored.Where(o => o.Applicable).ToList();
        var weights = counted.Sum(o => o.Weight);
        var quality = gate is not null ? 0 : weights == 0 ? 100 : 100 * counted.Sum(o => o.Weight - o.Lost) / weights;
        var warnings = outcomes.Where(o => o.Weight == 0 && o.Findings > 0)
            .Select(o => new WarningCount(o.Rule, o.Title, o.Findings)).ToList();
        return new LayerQuality(layer.Id, layer.Name, layer.Kind.ToString().ToLowerInvariant(), layer.Title, layer.Version, layer.FeatureCount,
            gate, Math.Round(quality, 4), outcomes, warnings, $"/api/cities/{city}/findings?layer={Uri.EscapeDataString(layer.Name)}")
        {
            FieldMap = layer.Choices,
        };
    }
}
