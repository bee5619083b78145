using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Cli;

/// <summary>srd users and srd orgs as an operator runs them: separate processes on the test database, checked over HTTP and in the tables.</summary>
[Collection(PostgisCollection.Name)]
public sealed partial class UsersCommandTests(ServerFixture server)
{
    private string Db => server.Database.ConnectionString;

    [Fact]
    public async Task Srd_adds_an_organisation_and_a_user_sets_the_role_issues_a_key_and_lists_them()
    {
        Assert.Contains("created organisation cli-ngo (Mahila Milan, ngo)", (await SrdProcess.RunAsync(Db, "orgs", "add", "cli-ngo", "--name", "Mahila Milan", "--kind", "ngo")).Output);
        Assert.Contains("cli-ngo", (await SrdProcess.RunAsync(Db, "orgs", "list")).Output);

        var (exit, added, errors) = await SrdProcess.RunAsync(Db, "users", "add", "cli-asha", "--role", "contributor", "--org", "cli-ngo", "--display-name", "Asha K.");
        Assert.True(exit == 0, errors);
        Assert.Contains("created user cli-asha (contributor of cli-ngo)", added);
        var password = PasswordShown().Match(added).Groups[1].Value;
        Assert.Equal(20, password.Length);
        var hash = await server.Database.ScalarAsync<string>("SELECT password_hash FROM users WHERE name = 'cli-asha'");
        Assert.StartsWith("pbkdf2-sha512$210000$", hash);
        Assert.DoesNotContain(password, hash);
        using (var browser = await server.SignInAsync("cli-asha", password))
        {
            var signedIn = await browser.GetJsonAsync("/api/auth/me");
            Assert.Equal(("contributor", "Asha K."), (signedIn.GetProperty("role").GetString(), signedIn.GetProperty("displayName").GetString()));
        }

        Assert.Contains("cli-asha is now moderator of cli-ngo", (await SrdProcess.RunAsync(Db, "users", "role", "cli-asha", "moderator")).Output);
        var keyed = (await SrdProcess.RunAsync(Db, "users", "key", "cli-asha", "--label", "QGIS")).Output;
        var key = keyed.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Single(l => l.StartsWith(ApiKeys.Marker, StringComparison.Ordinal));
        using var qgis = new HttpClient { BaseAddress = server.BaseAddress };
        qgis.DefaultRequestHeaders.Authorization = new("Bearer", key);
        var me = await qgis.GetJsonAsync("/api/auth/me");
        Assert.Equal(("cli-asha", "moderator"), (me.GetProperty("name").GetString(), me.GetProperty("role").GetString()));

        var list = (await SrdProcess.RunAsync(Db, "users", "list")).Output;
        Assert.Matches(@"cli-asha\s+moderator of cli-ngo  \(Asha K\.\)", list);
        Assert.Contains("QGIS (issued", list);
        Assert.DoesNotContain(key, list);

        Assert.Contains("disabled", (await SrdProcess.RunAsync(Db, "users", "disable", "cli-asha")).Output);
        Assert.Equal(HttpStatusCode.Unauthorized, (await qgis.GetAsync("/api/auth/me")).StatusCode);
    }

    [Fact]
    public async Task A_password_comes_from_stdin_never_the_command_line_and_a_short_one_is_refused()
    {
        var none = new Dictionary<string, string>();
        var shortOne = await SrdProcess.RunWithAsync(Db, none, "tooshort", "users", "add", "cli-ravi", "--role", "viewer", "--password-stdin");
        Assert.Equal(2, shortOne.ExitCode);
        Assert.Equal("srd: a password needs at least 10 characters.", shortOne.Errors.Trim());

        var (exit, output, errors) = await SrdProcess.RunWithAsync(Db, none, "a long enough passphrase", "users", "add", "cli-ravi", "--role", "viewer", "--password-stdin");
        Assert.True(exit == 0, errors);
        Assert.DoesNotContain("password (shown once", output);
        using var browser = await server.SignInAsync("cli-ravi", "a long enough passphrase");

        var contributor = await SrdProcess.RunAsync(Db, "users", "add", "cli-lone", "--role", "contributor");
        Assert.Equal(2, contributor.ExitCode);
        Assert.Contains("a contributor belongs to an organisation", contributor.Errors);
        Assert.Contains("role 'owner' is not one of", (await SrdProcess.RunAsync(Db, "users", "add", "cli-x", "--role", "owner")).Errors);
    }

    [Fact]
    public async Task Init_admin_makes_the_first_admin_once_from_SR_ADMIN_PASSWORD_or_prints_a_generated_password_once()
    {
        foreach (var given in new[] { "the operator's passphrase", "" })
        {
            var fresh = new PostgisFixture();
            await fresh.InitializeAsync();
            try
            {
                var environment = new Dictionary<string, string> { ["SR_ADMIN_PASSWORD"] = given };
                var (exit, output, errors) = await SrdProcess.RunWithAsync(fresh.ConnectionString, environment, null, "users", "init-admin");
                Assert.True(exit == 0, errors);
                var password = given.Length > 0 ? given : InitPassword().Match(output).Groups[1].Value;
                Assert.Equal(given.Length > 0, output.Contains("with the password in SR_ADMIN_PASSWORD"));
                var hash = await fresh.ScalarAsync<string>("SELECT password_hash FROM users WHERE name = 'admin' AND role = 'admin'");
                Assert.True(Passwords.Verify(password, hash, out _));
                Assert.DoesNotContain(password, hash);

                var again = await SrdProcess.RunWithAsync(fresh.ConnectionString, environment, null, "users", "init-admin");
                Assert.Equal("an admin exists already; nothing to do", again.Output.Trim());
                Assert.Equal(1L, await fresh.ScalarAsync<long>("SELECT count(*) FROM users"));
            }
            finally
            {
                await fresh.DisposeAsync();
            }
        }
    }

    [GeneratedRegex(@"password \(shown once, stored only as a hash\): (\S+)")]
    private static partial Regex PasswordShown();

    [GeneratedRegex(@"with password (\S+)")]
    private static partial Regex InitPassword();
}
