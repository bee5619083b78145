using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using NetTopologySuite.Geometries;
using Npgsql;

namespace SpatialReadiness.PostGis.Features;

/// <summary>
/// Feature counts already made (FeatureReader.CountAsync), each under its statement, its parameters and the layer
/// versions it counted. At most <see cref="Kept"/>: past that the oldest half is forgotten, so a stream of one-off
/// filters costs memory only up to the bound.
/// </summary>
internal sealed class MatchCounts
{
    public const int Kept = 2048;

    private readonly ConcurrentDictionary<string, (long Count, long Made)> _counts = new(StringComparer.Ordinal);
    private long _made;

    public bool TryGet(string key, out long count)
    {
        var found = _counts.TryGetValue(key, out var entry);
        count = entry.Count;
        return found;
    }

    public void Keep(string key, long count)
    {
        if (_counts.Count >= Kept)
        {
            var oldest = _counts.OrderBy(e => e.Value.Made).Take(Kept / 2).Select(e => e.Key).ToList();
            foreach (var old in oldest) _counts.TryRemove(old, out _);
        }
        _counts[key] = (count, Interlocked.Increment(ref _made));
    }

    /// <summary>
    /// The statement, every parameter as its type and exact value (geometry as WKB; each part length-prefixed, so no
    /// two different parameter lists read the same), and the versions ("id:version,...").
    /// </summary>
    public static string Key(string sql, IEnumerable<NpgsqlParameter> parameters, string versions)
    {
        var key = new StringBuilder(sql.Length + 64).Append(versions).Append('\n').Append(sql);
        foreach (var parameter in parameters)
        {
            var value = Text(parameter.Value);
            key.Append('\n').Append(parameter.NpgsqlDbType).Append(' ').Append(value.Length).Append(' ').Append(value);
        }
        return key.ToString();
    }

    private static string Text(object? value) => value switch
    {
        null => "null",
        Geometry geometry => geometry.SRID.ToString(CultureInfo.InvariantCulture) + ":" + Convert.ToHexString(geometry.AsBinary()),
        string text => text,
        System.Collections.IEnumerable items => string.Join(",", items.Cast<object?>().Select(item => { var t = Text(item); return $"{t.Length}:{t}"; })),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
