using SpatialReadiness.Checks.Rules;
using SpatialReadiness.Checks.Warnings;

namespace SpatialReadiness.Checks;

/// <summary>
/// Rule set v0 of the DMAF 4.e check (README, "Readiness"): ten scored rules whose weights sum to 100, then the
/// warnings. A change to a rule, weight or tolerance is a new version: runs store the version they used.
/// </summary>
public static class RuleSet
{
    public const string Version = "v0";

    public static readonly IReadOnlyList<Rule> Rules =
    [
        new OutsideCity(),
        new GeometryInvalid(),
        new AttributeMissing(),
        new WardMismatch(),
        new Overlap(),
        new GapSliver(),
        new Duplicate(),
        new IdNotUnique(),
        new LowPrecision(),
        new AreaImplausible(),
        new EdgeMismatch(),
        new RingOrientation(),
        new Multipart(),
        new NearDuplicate(),
        new AttributeCoordinates(),
    ];

    /// <summary>Titles of every code a finding can carry, including those a rule files under another code.</summary>
    public static string TitleOf(string code) => code switch
    {
        WardMismatch.OfficeElsewhere => "Ward office outside its ward",
        GapSliver.ExclusionZone => "Exclusion zone (hole in the ward coverage)",
        LayerGates.Empty => "Gate: layer has no geometry",
        LayerGates.OutsideIndia => "Gate: layer lies outside India",
        _ => Rules.FirstOrDefault(r => r.Code == code)?.Title ?? code,
    };
}
