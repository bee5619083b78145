using System.Text.RegularExpressions;
using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.Server.Publishing;

/// <summary>
/// package_search's q and fq, as CKAN's Solr reads the common cases: fq is field:value terms (value quoted when it
/// has spaces; a leading '+' allowed), all of which must hold, over organization, tags, res_format, groups, name and
/// license_id; q is words that must each appear in the title, description, name, tags or publisher (or *:*, or
/// field:value terms as in fq). Anything else is a Search Query Error naming what is understood.
/// </summary>
public static partial class CkanSearch
{
    public static readonly IReadOnlyList<string> Fields = ["organization", "tags", "res_format", "groups", "name", "license_id"];

    public sealed class QueryError(string message) : Exception(message);

    public static Func<LayerInfo, bool> Parse(string? q, string? fq, CkanPackages packages)
    {
        var conditions = new List<Func<LayerInfo, bool>>();
        foreach (var (field, value) in Terms(fq ?? "", allowWords: false)) conditions.Add(Field(field!, value, packages));
        var query = (q ?? "").Trim();
        if (query is not ("" or "*:*" or "*"))
            foreach (var (field, value) in Terms(query, allowWords: true))
                conditions.Add(field is null ? Words(value, packages) : Field(field, value, packages));
        return layer => conditions.All(c => c(layer));
    }

    private static IEnumerable<(string? Field, string Value)> Terms(string text, bool allowWords)
    {
        var at = 0;
        foreach (Match m in Term().Matches(text))
        {
            if (!string.IsNullOrWhiteSpace(text[at..m.Index])) throw new QueryError($"cannot read '{text[at..m.Index].Trim()}' in the query.");
            at = m.Index + m.Length;
            var field = m.Groups["field"].Success ? m.Groups["field"].Value : null;
            var value = m.Groups["quoted"].Success ? m.Groups["quoted"].Value : m.Groups["bare"].Value;
            if (field is null && !allowWords) throw new QueryError($"fq term '{m.Value.Trim()}' has no field; use field:value with one of {string.Join(", ", Fields)}.");
            if (field is not null && !Fields.Contains(field)) throw new QueryError($"unknown field '{field}'; search understands {string.Join(", ", Fields)}.");
            yield return (field, value);
        }
        if (!string.IsNullOrWhiteSpace(text[at..])) throw new QueryError($"cannot read '{text[at..].Trim()}' in the query.");
    }

    private static Func<LayerInfo, bool> Field(string field, string value, CkanPackages packages) => field switch
    {
        "organization" => l => Same(packages.OrganisationId(l), value),
        "tags" => l => packages.Tags(l).Any(t => Same(t, value)),
        "res_format" => l => CkanPackages.ResourceFormats(l).Any(f => Same(f.Format, value)),
        "groups" => l => Same(l.City, value),
        "name" => l => Same(Core.Publishing.PublishedUrls.CkanName(l), value),
        _ => l => Same(Core.Publishing.Licences.Recognise(l.Licence)?.CkanId ?? "notspecified", value),
    };

    private static Func<LayerInfo, bool> Words(string words, CkanPackages packages)
    {
        var wanted = words.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return layer =>
        {
            var package = packages.Package(layer);
            var text = string.Join(' ', package["title"], package["notes"], package["name"], string.Join(' ', packages.Tags(layer)), package["maintainer"]);
            return wanted.All(w => text.Contains(w, StringComparison.OrdinalIgnoreCase));
        };
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex("""\s*\+?(?:(?<field>[a-z_]+):)?(?:"(?<quoted>[^"]*)"|(?<bare>[^\s"]+))\s*""")]
    private static partial Regex Term();
}
