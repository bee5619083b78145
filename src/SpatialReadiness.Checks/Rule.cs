using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks;

/// <summary>
/// One check of rule set v0. A scored rule (severity error) loses credit linearly with its error rate:
/// lost = weight x min(1, (offending / population) / tolerance). A warning is reported and not scored.
/// Each subclass documents what counts as an error and why.
/// </summary>
public abstract class Rule
{
    public abstract string Code { get; }

    public abstract string Title { get; }

    public virtual Severity Severity => Severity.Error;

    public virtual double Weight => 0;

    /// <summary>The error rate at which all the rule's credit is lost.</summary>
    public virtual double Tolerance => 1;

    public abstract bool AppliesTo(LayerKind kind);

    /// <summary>
    /// The layer fields this rule's findings are built from (quoted in the detail, deciding whether there is a finding,
    /// giving the location), so they are rendered for each reader (Core.Readiness.FindingBasis). A rule that does not
    /// say is taken to use every field: a reader without the right to one gets its findings without detail.
    /// </summary>
    public virtual FindingBasis Basis(CheckedLayer layer) => FindingBasis.AllFields;

    public abstract Task<RuleResult> RunAsync(RuleContext context, CancellationToken cancellationToken);
}

/// <summary>
/// What a rule measured on one layer. Not applicable means the rule could not be evaluated, with the reason.
/// Population and Offending always count features. A rule scored by area (OVERLAP, GAP_SLIVER, COVERAGE_GAP) also
/// gives the area it judged and the offending area in m², and its error rate is their ratio.
/// </summary>
public sealed record RuleResult(bool Applicable, string? Note, double Population, double Offending, long Findings,
    double? AreaM2 = null, double? OffendingAreaM2 = null)
{
    public static RuleResult NotApplicable(string note) => new(false, note, 0, 0, 0);

    public bool ScoredByArea => AreaM2 is not null;

    public double ErrorRate => !Applicable ? 0
        : ScoredByArea ? (AreaM2 > 0 ? OffendingAreaM2.GetValueOrDefault() / AreaM2.Value : 0)
        : Population > 0 ? Offending / Population : 0;

    /// <summary>The usual case: offending = distinct features the findings name, population = the layer's features.</summary>
    public static RuleResult ByFeatures(FindingCounts counts, long population, string? note = null) =>
        new(true, note, population, counts.Features, counts.Rows);

    /// <summary>Scored by area share: <paramref name="offendingAreaM2"/> of <paramref name="areaM2"/>; features still counted.</summary>
    public static RuleResult ByArea(FindingCounts counts, long features, double areaM2, double offendingAreaM2, string? note = null) =>
        new(true, note, features, counts.Features, counts.Rows, areaM2, offendingAreaM2);
}
