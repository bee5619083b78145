using SpatialReadiness.Checks.Rules;
using SpatialReadiness.Checks.Warnings;

namespace SpatialReadiness.Checks;

/// <summary>
/// Rule set v1 of the DMAF 4.e check (docs/readiness.md): eleven scored rules whose weights sum to 100, then the
/// warnings. A change to a rule, weight or tolerance is a new version: runs store the version they used.
/// v1 (from v0): OVERLAP scored by area share (weight 10 to 5, tolerance 1 % of the layer's area); GAP_SLIVER holds
/// slivers and holes under 1 ha; COVERAGE_GAP (5, 5 % of the city's area) scores the other land outside every ward;
/// exclusion zones only when declared; WARD_NUMBER_MISSING; repaired geometry counts in GEOM_INVALID; ward keys
/// compared by sr_ward_key; RFC 7946 GeoJSON has a CRS in B2.
/// </summary>
public static class RuleSet
{
    public const string Version = "v1";

    public static readonly IReadOnlyList<Rule> Rules =
    [
        new OutsideCity(),
        new GeometryInvalid(),
        new AttributeMissing(),
        new WardMismatch(),
        new Overlap(),
        new GapSliver(),
        new CoverageGap(),
        new Duplicate(),
        new IdNotUnique(),
        new LowPrecision(),
        new AreaImplausible(),
        new EdgeMismatch(),
        new RingOrientation(),
        new Multipart(),
        new NearDuplicate(),
        new AttributeCoordinates(),
        new WardNumberMissing(),
    ];

    /// <summary>Titles of every code a finding can carry, including those a rule files under another code.</summary>
    public static string TitleOf(string code) => code switch
    {
        WardMismatch.OfficeElsewhere => "Ward office outside its ward",
        GapSliver.ExclusionZone => "Declared exclusion zone (land in no ward)",
        LayerGates.Empty => "Gate: layer has no geometry",
        LayerGates.OutsideIndia => "Gate: layer lies outside India",
        _ => Rules.FirstOrDefault(r => r.Code == code)?.Title ?? code,
    };
}
