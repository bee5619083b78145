using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
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

    /// <summary>Forgets every count: after a restore or a failover a version number may stand for other rows.</summary>
    public void Clear() => _counts.Clear();

    /// <summary>
    /// The statement, every parameter as its type and exact value (geometry as WKB, times to the tick; each value
    /// length-prefixed and a null marked apart, so no two different parameter lists read the same), and the versions
    /// ("id:version,..."); kept as its SHA-256, so a long filter costs its key's 64 characters, not its text.
    /// </summary>
    public static string Key(string sql, IEnumerable<NpgsqlParameter> parameters, string versions)
    {
        var key = new StringBuilder(sql.Length + 64).Append(versions).Append('\n').Append(sql);
        foreach (var parameter in parameters)
        {
            key.Append('\n').Append(parameter.NpgsqlDbType);
            if (parameter.Value is null or DBNull) { key.Append(" -"); continue; }
            var value = Text(parameter.Value);
            key.Append(' ').Append(value.Length).Append(' ').Append(value);
        }
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key.ToString())));
    }

    private static string Text(object? value) => value switch
    {
        null or DBNull => "-",
        Geometry geometry => geometry.SRID.ToString(CultureInfo.InvariantCulture) + ":" + Convert.ToHexString(geometry.AsBinary()),
        string text => text,
        DateTimeOffset time => time.ToString("O", CultureInfo.InvariantCulture),
        DateTime time => time.ToString("O", CultureInfo.InvariantCulture),
        System.Collections.IEnumerable items => string.Join(",", items.Cast<object?>().Select(item => item is null or DBNull ? "-" : $"{Text(item).Length}:{Text(item)}")),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
