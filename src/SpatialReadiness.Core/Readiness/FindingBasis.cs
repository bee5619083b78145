namespace SpatialReadiness.Core.Readiness;

/// <summary>
/// What a rule builds its findings from, so each finding can be rendered for its reader (the access rule applied
/// where the answer is built): <paramref name="Fields"/> are the layer's fields whose values the detail quotes or
/// whose values decide whether there is a finding at all (null: every field, the safe default for a rule that does
/// not say); <paramref name="Location"/> says the location itself comes from those fields (lat/lon attributes), not
/// from the geometry. A reader who may not see one of the fields gets the finding without its detail (and without
/// such a location); the author of a proposal does not get it at all, since its presence would answer a guess.
/// </summary>
public sealed record FindingBasis(IReadOnlyList<string>? Fields, bool Location = false)
{
    /// <summary>Built from the geometry alone.</summary>
    public static readonly FindingBasis Geometry = new([], false);

    /// <summary>Built from every attribute (or the rule does not say).</summary>
    public static readonly FindingBasis AllFields = new(null, false);

    public static FindingBasis Of(params string?[] fields) => new(fields.OfType<string>().Distinct().ToList());

    /// <summary>Whether a reader who may not see <paramref name="withheld"/> may not see what is built from this.</summary>
    public bool Touches(IReadOnlyCollection<string> withheld) =>
        withheld.Count > 0 && (Fields is null || Fields.Any(withheld.Contains));
}
