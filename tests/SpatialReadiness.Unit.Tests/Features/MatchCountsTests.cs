using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;
using SpatialReadiness.PostGis.Features;

namespace SpatialReadiness.Unit.Tests.Features;

/// <summary>
/// The kept counts behind OGC API's numberMatched and OData's $count (MatchCounts): a count is found again only for the
/// same statement, the same parameter values and the same layer versions, and no two different parameter lists share
/// a key, however their texts are made; the store stays bounded whatever stream of queries comes.
/// </summary>
public sealed class MatchCountsTests
{
    private static NpgsqlParameter P(object value, NpgsqlDbType type) => new("p", type) { Value = value };

    private static string Key(params NpgsqlParameter[] parameters) => MatchCounts.Key("SELECT 1", parameters, "7:3");

    public static TheoryData<NpgsqlParameter[], NpgsqlParameter[]> Different => new()
    {
        { [P(new[] { "a,b" }, NpgsqlDbType.Array | NpgsqlDbType.Text)], [P(new[] { "a", "b" }, NpgsqlDbType.Array | NpgsqlDbType.Text)] },
        { [P("1", NpgsqlDbType.Text)], [P(1L, NpgsqlDbType.Bigint)] },
        { [P("a", NpgsqlDbType.Text), P("b", NpgsqlDbType.Text)], [P("a\nText 1 b", NpgsqlDbType.Text)] },
        { [P(0.1 + 0.2, NpgsqlDbType.Double)], [P(0.3, NpgsqlDbType.Double)] },
        { [P(new Point(73.8567001, 18.52) { SRID = 4326 }, NpgsqlDbType.Geometry)], [P(new Point(73.8567002, 18.52) { SRID = 4326 }, NpgsqlDbType.Geometry)] },
        { [P(new Point(1, 2) { SRID = 4326 }, NpgsqlDbType.Geometry)], [P(new Point(1, 2) { SRID = 3857 }, NpgsqlDbType.Geometry)] },
        { [P("", NpgsqlDbType.Text)], [] },
        { [P(DateTimeOffset.Parse("2024-05-01T12:00:00.25Z", System.Globalization.CultureInfo.InvariantCulture), NpgsqlDbType.TimestampTz)],
          [P(DateTimeOffset.Parse("2024-05-01T12:00:00.75Z", System.Globalization.CultureInfo.InvariantCulture), NpgsqlDbType.TimestampTz)] },
        { [P(DBNull.Value, NpgsqlDbType.Text)], [P("null", NpgsqlDbType.Text)] },
        { [P(DBNull.Value, NpgsqlDbType.Text)], [P("-", NpgsqlDbType.Text)] },
        { [P(new[] { "a", null }, NpgsqlDbType.Array | NpgsqlDbType.Text)], [P(new[] { "a", "-" }, NpgsqlDbType.Array | NpgsqlDbType.Text)] },
    };

    [Theory]
    [MemberData(nameof(Different))]
    public void Different_parameters_never_share_a_key(NpgsqlParameter[] one, NpgsqlParameter[] other) =>
        Assert.NotEqual(Key(one), Key(other));

    [Fact]
    public void Random_parameter_lists_share_a_key_exactly_when_their_values_are_equal()
    {
        var random = new Random(20);
        object Value() => random.Next(4) switch
        {
            0 => random.Next(3).ToString(System.Globalization.CultureInfo.InvariantCulture),
            1 => (long)random.Next(3),
            2 => new[] { "a", ",", "1:a" }.Take(random.Next(3)).ToArray(),
            _ => random.Next(3) / 2.0,
        };
        NpgsqlDbType Type(object value) => value switch { string => NpgsqlDbType.Text, long => NpgsqlDbType.Bigint, string[] => NpgsqlDbType.Array | NpgsqlDbType.Text, _ => NpgsqlDbType.Double };
        for (var i = 0; i < 5000; i++)
        {
            var a = Enumerable.Range(0, random.Next(3)).Select(_ => Value()).ToList();
            var b = Enumerable.Range(0, random.Next(3)).Select(_ => Value()).ToList();
            var equal = a.Count == b.Count && a.Zip(b).All(p => p.First.GetType() == p.Second.GetType()
                && (p.First is string[] x ? x.SequenceEqual((string[])p.Second) : p.First.Equals(p.Second)));
            Assert.Equal(equal, Key([.. a.Select(v => P(v, Type(v)))]) == Key([.. b.Select(v => P(v, Type(v)))]));
        }
    }

    [Fact]
    public void Another_statement_or_another_version_is_another_count()
    {
        var counts = new MatchCounts();
        counts.Keep(MatchCounts.Key("SELECT 1", [], "7:3"), 42);
        Assert.True(counts.TryGet(MatchCounts.Key("SELECT 1", [], "7:3"), out var kept));
        Assert.Equal(42, kept);
        Assert.False(counts.TryGet(MatchCounts.Key("SELECT 1", [], "7:4"), out _));
        Assert.False(counts.TryGet(MatchCounts.Key("SELECT 2", [], "7:3"), out _));
        counts.Clear(); // a restore: version 3 may now be other rows
        Assert.False(counts.TryGet(MatchCounts.Key("SELECT 1", [], "7:3"), out _));
    }

    [Fact]
    public void A_stream_of_one_off_queries_keeps_at_most_the_bound_and_the_newest()
    {
        var counts = new MatchCounts();
        for (var i = 0; i < MatchCounts.Kept * 3; i++) counts.Keep(Key(P((long)i, NpgsqlDbType.Bigint)), i);
        var kept = Enumerable.Range(0, MatchCounts.Kept * 3).Count(i => counts.TryGet(Key(P((long)i, NpgsqlDbType.Bigint)), out _));
        Assert.InRange(kept, 1, MatchCounts.Kept);
        Assert.True(counts.TryGet(Key(P((long)(MatchCounts.Kept * 3 - 1), NpgsqlDbType.Bigint)), out var newest));
        Assert.Equal(MatchCounts.Kept * 3 - 1, newest);
    }
}
