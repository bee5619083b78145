using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Readiness;

/// <summary>
/// sr_ward_key, the one ward-key normaliser every ward comparison uses (WARD_MISMATCH, ward offices, check_wards), on a
/// table of spellings found in real Indian ward, slum and ward-office files: each group must collapse to one key and
/// different wards must stay apart.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class WardKeyTests(ServerFixture server)
{
    public static readonly TheoryData<string, string> Spellings = new()
    {
        { "81", "81" }, { "81 ", "81" }, { " 81", "81" }, { "081", "81" }, { "0081", "81" }, { "81.0", "81" },
        { "Ward-81", "81" }, { "ward 81", "81" }, { "WARD_81", "81" }, { "Ward No. 81", "81" }, { "Ward No 81", "81" },
        { "Ward no.81", "81" }, { "Ward Number 81", "81" }, { "W-81", "81" }, { "W81", "81" }, { "W 081", "81" },
        { "No. 81", "81" }, { "#81", "81" }, { "८१", "81" }, { "०८१", "81" }, { "वार्ड ८१", "81" }, { "प्रभाग क्र. ८१", "81" },
        { "Prabhag 81", "81" }, { "PRABHAG NO 81", "81" }, { "৮১", "81" }, { "૮૧", "81" }, { "௮௧", "81" },
        { "0", "0" }, { "00", "0" }, { "Ward 7", "7" }, { "07", "7" },
        { "F/N", "fn" }, { "F-North", "fn" }, { "F North", "fn" }, { "f/north", "fn" }, { "FN", "fn" }, { "F N", "fn" }, { "Ward F/N", "fn" },
        { "F/S", "fs" }, { "F-South", "fs" }, { "K/E", "ke" }, { "K-East", "ke" }, { "K/W", "kw" }, { "R/C", "rc" }, { "R-Central", "rc" },
        { "A", "a" }, { " a ", "a" }, { "Ward A", "a" }, { "12A", "12a" }, { "12-A", "12a" }, { "012 a", "12a" },
        { "Kasba Peth", "kasba peth" }, { "Kasba  Peth", "kasba peth" },
    };

    [Theory]
    [MemberData(nameof(Spellings))]
    public async Task A_ward_key_is_read_as_people_write_it(string written, string key) =>
        Assert.Equal(key, await server.Database.ScalarAsync<string>("SELECT sr_ward_key($1)", written));

    [Fact]
    public async Task Different_wards_keep_different_keys()
    {
        string[] distinct = ["81", "18", "8", "1", "810", "F/N", "F/S", "G/N", "A", "B", "12A", "12B", "12", "Wardha", "North", "W"];
        var keys = new List<string>();
        foreach (var ward in distinct) keys.Add(await server.Database.ScalarAsync<string>("SELECT sr_ward_key($1)", ward));
        Assert.Equal(distinct.Length, keys.Distinct().Count());
        Assert.True(await server.Database.ScalarAsync<bool>("SELECT sr_ward_key(NULL) IS NULL"));
    }
}
