namespace SpatialReadiness.Core.Publishing;

/// <summary>A licence this server recognises by name: its canonical URI, title and CKAN licence id.</summary>
public sealed record KnownLicence(string Uri, string Title, string CkanId);

/// <summary>
/// Recognises the licences Indian city layers come under, whatever way the uploader wrote them ("CC BY 4.0",
/// "cc-by-4.0", "ODbL", "GODL"): compared without case, spaces or punctuation. Anything else stays text.
/// </summary>
public static class Licences
{
    public static readonly KnownLicence CcBy40 = new("https://creativecommons.org/licenses/by/4.0/", "Creative Commons Attribution 4.0 International", "cc-by");
    public static readonly KnownLicence CcBySa25In = new("https://creativecommons.org/licenses/by-sa/2.5/in/", "Creative Commons Attribution-ShareAlike 2.5 India", "cc-by-sa");
    public static readonly KnownLicence CcBySa40 = new("https://creativecommons.org/licenses/by-sa/4.0/", "Creative Commons Attribution-ShareAlike 4.0 International", "cc-by-sa");
    public static readonly KnownLicence Cc0 = new("https://creativecommons.org/publicdomain/zero/1.0/", "Creative Commons CC0 1.0 Universal", "cc-zero");
    public static readonly KnownLicence Odbl = new("https://opendatacommons.org/licenses/odbl/1-0/", "Open Data Commons Open Database License 1.0", "odc-odbl");
    public static readonly KnownLicence Godl = new("https://data.gov.in/government-open-data-license-india", "Government Open Data License - India", "godl-india");

    private static readonly Dictionary<string, KnownLicence> ByName = new()
    {
        ["ccby40"] = CcBy40, ["ccbyattribution40"] = CcBy40, ["creativecommonsattribution40"] = CcBy40, ["creativecommonsattribution40international"] = CcBy40,
        ["ccbysa25in"] = CcBySa25In, ["ccbysa25india"] = CcBySa25In, ["creativecommonsattributionsharealike25india"] = CcBySa25In,
        ["ccbysa40"] = CcBySa40, ["cc0"] = Cc0, ["cc010"] = Cc0, ["cczero"] = Cc0,
        ["odbl"] = Odbl, ["odbl10"] = Odbl, ["odcodbl"] = Odbl, ["opendatabaselicense"] = Odbl, ["opendatabaselicence"] = Odbl, ["opendatacommonsopendatabaselicense"] = Odbl,
        ["godl"] = Godl, ["godlindia"] = Godl, ["governmentopendatalicenseindia"] = Godl, ["governmentopendatalicenceindia"] = Godl,
    };

    public static KnownLicence? Recognise(string? licence)
    {
        if (string.IsNullOrWhiteSpace(licence)) return null;
        var text = licence.Trim();
        foreach (var known in ByName.Values)
            if (string.Equals(text.TrimEnd('/'), known.Uri.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)) return known;
        var key = new string(text.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).ToArray());
        return ByName.GetValueOrDefault(key);
    }
}
