using System.Globalization;
using Microsoft.OData;
using Microsoft.OData.Edm;
using Microsoft.OData.UriParser;
using Microsoft.OData.UriParser.Aggregation;

namespace SpatialReadiness.Server.OData;

/// <summary>
/// One OData read, parsed and checked against the reader's model: which set; optionally one entity by key, one of its
/// properties and that property's raw $value; or the set's $count; and the query options.
/// </summary>
internal sealed record ODataRequest(string Set, object? Key, string? Property, bool RawValue, bool CountOnly,
    FilterClause? Filter, SearchClause? Search, ApplyClause? Apply, IReadOnlyList<(string Property, bool Descending)> OrderBy,
    IReadOnlySet<string>? Select, long? Top, long? Skip, long? SkipToken, bool Count)
{
    /// <summary>The system query options this service answers; any other is refused, never ignored.</summary>
    private static readonly HashSet<string> Answered = new(StringComparer.OrdinalIgnoreCase)
        { "$filter", "$select", "$orderby", "$top", "$skip", "$skiptoken", "$count", "$search", "$apply", "$format", "$expand" };

    /// <summary>Parses <paramref name="path"/> (after /odata/) and the query; throws ODataException (400), ODataUnrecognizedPathException (404) or NotSupportedException (501).</summary>
    public static ODataRequest Parse(IEdmModel model, string root, string path, string query, IEnumerable<string> queryNames)
    {
        foreach (var name in queryNames)
            if (name.StartsWith('$') && !Answered.Contains(name))
                throw new NotSupportedException($"the query option {name} is not supported here; this service answers {string.Join(", ", Answered.Order())}.");
        var parser = new ODataUriParser(model, new Uri(root), new Uri(root + path + query))
        {
            Resolver = new ODataUriResolver { EnableCaseInsensitive = true },
        };
        var segments = parser.ParsePath().ToList();
        if (segments is not [EntitySetSegment set, ..])
            throw new ODataUnrecognizedPathException($"'{path}' is not an entity set; the service document lists them.");
        object? key = null;
        string? property = null;
        var raw = false;
        var countOnly = false;
        foreach (var segment in segments.Skip(1))
            switch (segment)
            {
                case KeySegment k when key is null && !countOnly: key = k.Keys.Single().Value; break;
                case PropertySegment p when key is not null && property is null: property = p.Property.Name; break;
                case DynamicPathSegment d when key is not null && property is null: property = d.Identifier; break;
                case ValueSegment when property is not null && !raw: raw = true; break;
                case CountSegment when key is null && !countOnly: countOnly = true; break;
                default: throw new ODataUnrecognizedPathException($"'{path}': {segment.Identifier} is not offered here; read a set, Set/$count, Set(key), Set(key)/Property or Set(key)/Property/$value.");
            }

        // Before $orderby, which may name the groups' properties and aliases.
        var apply = Option("$apply", parser.ParseApply);
        var orderBy = new List<(string, bool)>();
        for (var clause = Option("$orderby", parser.ParseOrderBy); clause is not null; clause = clause.ThenBy)
            orderBy.Add((clause.Expression is SingleValuePropertyAccessNode p ? p.Property.Name
                : clause.Expression is SingleValueOpenPropertyAccessNode o ? o.Name
                : throw new ODataException("$orderby takes property names only."), clause.Direction == OrderByDirection.Descending));
        var selectExpand = Option("$select or $expand", parser.ParseSelectAndExpand);
        if (selectExpand?.SelectedItems.OfType<ExpandedNavigationSelectItem>().Any() == true)
            throw new ODataException("$expand: these entity types have no navigation properties.");
        IReadOnlySet<string>? select = selectExpand is null || selectExpand.AllSelected ? null
            : selectExpand.SelectedItems.OfType<PathSelectItem>().Select(i => i.SelectedPath.LastSegment.Identifier).ToHashSet(StringComparer.Ordinal);
        if (property is not null) select = new HashSet<string>(StringComparer.Ordinal) { property };
        var skipToken = Option("$skiptoken", parser.ParseSkipToken);
        long? token = skipToken is null ? null
            : long.TryParse(skipToken, NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t
            : throw new ODataException($"$skiptoken '{skipToken}' is not one this server wrote; follow @odata.nextLink as given.");
        var top = Option("$top", parser.ParseTop);
        var skip = Option("$skip", parser.ParseSkip);
        if (top < 0 || skip < 0) throw new ODataException("$top and $skip must not be negative.");
        return new ODataRequest(set.EntitySet.Name, key, property, raw, countOnly, Option("$filter", parser.ParseFilter), Option("$search", parser.ParseSearch), apply,
            orderBy, select, top, skip, token, Option("$count", parser.ParseCount) == true);
    }

    /// <summary>Parses one query option; the library's message gets the option's name in front.</summary>
    private static T Option<T>(string name, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (ODataException e) when (!e.Message.StartsWith('$'))
        {
            throw new ODataException($"{name}: {e.Message}", e);
        }
    }
}
