using System.Globalization;
using Microsoft.Extensions.Primitives;
using SpatialReadiness.Core.Features;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.PostGis.Features;
using SpatialReadiness.Server.OgcFeatures.Cql2;
using SortKey = SpatialReadiness.PostGis.Features.SortKey;

namespace SpatialReadiness.Server.OgcFeatures;

/// <summary>
/// The query of GET /collections/{id}/items read into a <see cref="FeatureQuery"/>: limit and offset, bbox and
/// bbox-crs, crs, datetime, filter/filter-lang/filter-crs (CQL2 text), q (free text over the text fields, as OGC API -
/// Records defines it), sortby (Part 5 draft: +field,-field) and field=value for each public field.
/// Anything malformed or unknown is an <see cref="OgcException"/> naming the parameter.
/// </summary>
public sealed record ItemsRequest(FeatureQuery Query, OgcCrs Crs, int Limit, long Offset, long? After)
{
    public const int DefaultLimit = 100, MaxLimit = 10_000;

    public static readonly IReadOnlyList<string> ConformanceClasses =
    [
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    ];

    /// <summary>The query parameters /items understands besides the public fields.</summary>
    public static readonly IReadOnlyList<string> Parameters = ["f", "limit", "offset", "after", "bbox", "bbox-crs", "crs", "datetime", "filter", "filter-lang", "filter-crs", "q", "sortby"];

    /// <param name="textFields">The public fields holding text, which q searches (needed only when q is given).</param>
    public static ItemsRequest Parse(LayerInfo layer, IQueryCollection query, IReadOnlyList<string>? textFields = null)
    {
        var fields = layer.PublicFields;
        foreach (var name in query.Keys)
            if (!Parameters.Contains(name) && !fields.Contains(name))
                throw new OgcException($"unknown query parameter '{name}'; /items takes {string.Join(", ", Parameters)} and the queryables ({string.Join(", ", fields)}).");

        var limit = Integer(query, "limit", DefaultLimit, 1, int.MaxValue);
        var offset = Integer(query, "offset", 0, 0, long.MaxValue);
        // Next links carry "after" (the last feature id sent): each page starts from the index, however deep.
        long? after = Single(query, "after") is null ? null : Integer(query, "after", 0, 0, long.MaxValue);
        if (after is not null && offset > 0) throw new OgcException("use either offset or after, not both.");
        var sortBy = SortBy(Single(query, "sortby"), fields);
        if (after is not null && sortBy.Count > 0) throw new OgcException("after pages in id order; with sortby, page with offset (as the next links do).");
        var crs = CrsParameter(query, "crs");
        var filters = new List<FeatureFilter>();
        foreach (var name in query.Keys.Where(fields.Contains))
            filters.Add(new Comparison(new Field(name), ComparisonOperator.Equal, new Literal(Value(query[name].ToString()))));
        if (Single(query, "filter") is { } text)
        {
            var lang = Single(query, "filter-lang") ?? "cql2-text";
            // "cql-text" is the draft's name, which GDAL 3.6 sends.
            if (lang is not ("cql2-text" or "cql-text"))
                throw new OgcException($"filter-lang '{lang}' is not supported; use cql2-text.");
            var filterCrs = CrsParameter(query, "filter-crs");
            try
            {
                filters.Add(new Cql2TextParser(fields, filterCrs.Srid, filterCrs.LatitudeFirst).Parse(text));
            }
            catch (Cql2Exception e)
            {
                throw new OgcException($"filter: {e.Message}.");
            }
        }
        if (Single(query, "q") is { } q) filters.Add(FreeText(q, textFields ?? []));
        Datetime(Single(query, "datetime"));

        var featureQuery = new FeatureQuery([FeatureSource.AsIs(layer)])
        {
            Filter = filters.Count switch { 0 => null, 1 => filters[0], _ => new AllOf(filters) },
            // One row more than the page, so the page knows whether there is a next one without counting.
            Limit = (int)Math.Min(limit, MaxLimit) + 1,
            Offset = offset,
            AfterId = after,
            OrderBy = sortBy,
            OutputSrid = crs.Srid,
            LatitudeFirst = crs.LatitudeFirst,
        };
        if (Single(query, "bbox") is { } bbox)
        {
            var bboxCrs = CrsParameter(query, "bbox-crs");
            featureQuery = featureQuery with { Bbox = Box(bbox, bboxCrs), BboxSrid = bboxCrs.Srid };
        }
        FeatureReader.Check(featureQuery); // a filter PostgreSQL cannot run is refused before the page starts streaming
        return new ItemsRequest(featureQuery, crs, featureQuery.Limit!.Value - 1, offset, after);
    }

    /// <summary>q: any term (comma-separated) found in any text field, ignoring case; LIKE's wildcards in a term are literal.</summary>
    private static FeatureFilter FreeText(string q, IReadOnlyList<string> textFields)
    {
        var terms = q.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (terms.Length == 0) throw new OgcException("q is empty; give one or more search terms separated by commas, e.g. q=nagar,colony.");
        return new AnyOf([.. from term in terms
                             let pattern = "%" + term.Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_") + "%"
                             from field in textFields
                             select (FeatureFilter)new Like(new Field(field), pattern, IgnoreCase: true)]);
    }

    /// <summary>The crs (or bbox-crs, filter-crs) parameter; CRS84 when absent.</summary>
    public static OgcCrs CrsParameter(IQueryCollection query, string name) =>
        Single(query, name) is not { } text ? OgcCrs.Crs84
        : OgcCrs.Parse(text) ?? throw new OgcException($"{name} '{text}' is not supported; use one of {OgcCrs.SupportedList}.");

    /// <summary>"+name,-households" (a leading + or none: ascending); the public fields and id.</summary>
    private static IReadOnlyList<SortKey> SortBy(string? text, IReadOnlyList<string> fields)
    {
        if (text is null) return [];
        var keys = new List<SortKey>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var descending = part.StartsWith('-');
            var name = part.TrimStart('+', '-');
            if (name == "id") keys.Add(new SortKey(new FeatureId(), descending));
            else if (fields.Contains(name)) keys.Add(new SortKey(new Field(name), descending));
            else throw new OgcException($"sortby '{text}': '{name}' is not a sortable property; sort by id or a queryable ({string.Join(", ", fields)}), e.g. sortby=-{fields.FirstOrDefault() ?? "id"}.");
        }
        return keys;
    }

    private static double[] Box(string text, OgcCrs crs)
    {
        var parts = text.Split(',');
        var numbers = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]) || !double.IsFinite(numbers[i]))
                throw new OgcException($"bbox '{text}': '{parts[i]}' is not a number; give minx,miny,maxx,maxy.");
        double[] box = numbers.Length switch
        {
            4 => numbers,
            6 => [numbers[0], numbers[1], numbers[3], numbers[4]],
            _ => throw new OgcException($"bbox '{text}' has {numbers.Length} numbers; give 4 (minx,miny,maxx,maxy) or 6 (with heights)."),
        };
        if (crs.LatitudeFirst) box = [box[1], box[0], box[3], box[2]];
        if (box[0] > box[2] || box[1] > box[3])
            throw new OgcException($"bbox '{text}': the lower corner must come first (min before max{(crs.LatitudeFirst ? ", latitude first in EPSG:4326" : "")}).");
        return box;
    }

    /// <summary>
    /// Layers carry no time field yet, so datetime filters nothing; it is still checked (an instant, or an interval
    /// with ".." or an empty end for open) so a client's mistake is not silently ignored.
    /// </summary>
    private static void Datetime(string? text)
    {
        if (text is null) return;
        var ends = text.Split('/');
        if (ends.Length > 2 || ends.Any(e => e is not (".." or "") && !DateTimeOffset.TryParse(e, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
            || (ends.Length == 1 && ends[0] is ".." or ""))
            throw new OgcException($"datetime '{text}' is not an RFC 3339 instant or interval (e.g. 2024-01-31T00:00:00Z, 2024-01-01/2024-12-31, 2024-01-01/..).");
    }

    private static long Integer(IQueryCollection query, string name, long fallback, long min, long max)
    {
        if (Single(query, name) is not { } text) return fallback;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max ? value
            : throw new OgcException($"{name} '{text}' must be a whole number{(min > 0 ? $" from {min}" : " of 0 or more")}.");
    }

    private static object Value(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer) ? integer
        : decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number
        : text;

    private static string? Single(IQueryCollection query, string name)
    {
        if (!query.TryGetValue(name, out StringValues values) || values.Count == 0) return null;
        if (values.Count > 1) throw new OgcException($"{name} is given {values.Count} times; give it once.");
        return values[0];
    }
}

/// <summary>A request the OGC API cannot answer as asked: 400 with this message, unless another status is given.</summary>
public sealed class OgcException(string message, int status = StatusCodes.Status400BadRequest) : Exception(message)
{
    public int Status { get; } = status;
}
