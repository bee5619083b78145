using System.Security.Cryptography;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.Core.Contributions;
using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.Server.Tests.Accounts;

/// <summary>The rules of who may read and do what (Core.Accounts.Caller), the attribute diff, and password hashes: no database.</summary>
public sealed class AccessRulesTests
{
    private static LayerInfo Layer(string? owner, bool sensitive = false, params string[] sensitiveFields) =>
        new(1, "pune", "slums", "slum", "Slums", null, "CC BY 4.0", null, null, null, sensitive, 1, "GeoJSON", "EPSG:4326", 1, 0, 0,
            ["slum_id", "head_name"], new Dictionary<string, string>(), sensitiveFields, null,
            new LayerProvenance(1, "f", new string('0', 64), 1, "GeoJSON", "EPSG:4326", 1, "CC BY 4.0", "x", null, DateTimeOffset.UnixEpoch),
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch) { Owner = owner, Editable = true };

    private static Caller As(Role role, string? organisation) => new(7, "someone", role, organisation);

    public static TheoryData<string, Role, string?, bool, bool, bool> Readers => new()
    {
        // who, role, organisation: may read sensitive data, may contribute, may moderate (a sensitive layer owned by "pmc")
        { "anonymous", Role.Viewer, null, false, false, false },
        { "a viewer of the owner", Role.Viewer, "pmc", false, false, false },
        { "a contributor of the owner", Role.Contributor, "pmc", true, true, false },
        { "a contributor of an NGO", Role.Contributor, "ngo", false, false, false },
        { "a moderator of the owner", Role.Moderator, "pmc", true, true, true },
        { "a moderator of an NGO", Role.Moderator, "ngo", false, false, false },
        { "an admin", Role.Admin, null, true, true, true },
    };

    [Theory]
    [MemberData(nameof(Readers))]
    public void Sensitive_layers_are_for_the_owners_members_and_admins(string who, Role role, string? organisation, bool reads, bool contributes, bool moderates)
    {
        var caller = who == "anonymous" ? Caller.Anonymous : As(role, organisation);
        var layer = Layer("pmc", sensitive: true, "head_name");
        Assert.Equal(reads, caller.MayReadSensitive(layer));
        Assert.Equal(!reads, caller.View(layer).Withheld);
        Assert.Equal(reads ? ["slum_id", "head_name"] : ["slum_id"], caller.View(layer).PublicFields);
        Assert.Equal(contributes, caller.MayContribute(layer));
        Assert.Equal(moderates, caller.MayModerate(layer));
    }

    [Fact]
    public void A_public_layer_no_one_owns_is_moderated_by_admins_alone_and_read_by_all_without_its_sensitive_fields()
    {
        var layer = Layer(null, sensitive: false, "head_name");
        Assert.False(As(Role.Moderator, "ngo").MayModerate(layer));
        Assert.False(As(Role.Moderator, null).MayModerate(layer));
        Assert.False(As(Role.Contributor, "ngo").MayModerate(layer));
        Assert.True(As(Role.Admin, null).MayModerate(layer));
        Assert.False(As(Role.Moderator, "ngo").MayModerate(Layer("pmc")));
        Assert.True(Caller.Anonymous.MayRead(layer));
        Assert.Equal(["head_name"], As(Role.Moderator, "ngo").View(layer).WithheldFields);
        Assert.Empty(As(Role.Admin, null).View(layer).WithheldFields);
    }

    [Fact]
    public void Only_admins_and_the_moderators_of_its_owner_organisation_speak_for_a_city()
    {
        var city = new CityInfo("pune", "Pune", null, true, 3, null, DateTimeOffset.UnixEpoch) { Owner = "pmc" };
        Assert.True(As(Role.Moderator, "pmc").MaySpeakFor(city));
        Assert.True(As(Role.Admin, null).MaySpeakFor(city));
        Assert.False(As(Role.Moderator, "ngo").MaySpeakFor(city));
        Assert.False(As(Role.Contributor, "pmc").MaySpeakFor(city));
        Assert.False(As(Role.Moderator, "pmc").MaySpeakFor(city with { Owner = null }));
    }

    [Fact]
    public void The_diff_names_what_a_change_adds_removes_and_alters_and_never_a_withheld_field()
    {
        var diff = AttributeDiff.Compare("""{"name":"A","households":120,"status":"notified","head_name":"R"}""",
            """{"name":"A","households":120.0,"ward":"7","head_name":"S"}""", ["head_name"]);
        Assert.Equal(["status", "ward"], diff.Select(d => d.Field));
        Assert.Null(diff[0].After);
        Assert.Null(diff[1].Before);
        Assert.Equal(["name", "households"], AttributeDiff.Compare(null, """{"name":"A","households":1}""", []).Select(d => d.Field));
    }

    [Fact]
    public void A_password_hash_verifies_only_its_password_and_says_when_it_is_weaker_than_now()
    {
        var hash = Passwords.Hash("a long enough passphrase");
        Assert.True(Passwords.Verify("a long enough passphrase", hash, out var rehash));
        Assert.False(rehash);
        Assert.False(Passwords.Verify("a long enough passphrasE", hash, out _));
        Assert.False(Passwords.Verify("anything", null, out _));
        // The same password hashed with fewer iterations, as an older release would have stored it.
        var parts = hash.Split('$');
        var old = Rfc2898DeriveBytes.Pbkdf2("a long enough passphrase"u8.ToArray(), Convert.FromBase64String(parts[2]), 1000, HashAlgorithmName.SHA512, 32);
        var weaker = $"{parts[0]}$1000${parts[2]}${Convert.ToBase64String(old)}";
        Assert.True(Passwords.Verify("a long enough passphrase", weaker, out rehash));
        Assert.True(rehash);
        Assert.NotEqual(hash, Passwords.Hash("a long enough passphrase")); // salted
    }
}
