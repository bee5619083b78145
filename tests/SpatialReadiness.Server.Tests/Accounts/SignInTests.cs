using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.PostGis.Accounts;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Accounts;

/// <summary>
/// Signing in as the viewer does (cookie, anti-forgery token) and as scripts do (API keys), the rate limit on sign-in,
/// and the wall every write stands behind: 401 without sign-in, 403 with too small a role.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class SignInTests(ServerFixture server)
{
    [Fact]
    public async Task Sign_in_sets_a_strict_HttpOnly_cookie_me_says_who_and_sign_out_ends_it()
    {
        await server.UserAsync("si-asha", Role.Contributor, ServerFixture.NgoOrg);
        var anonymous = await server.Client.GetJsonAsync("/api/auth/me");
        Assert.False(anonymous.GetProperty("authenticated").GetBoolean());

        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = server.BaseAddress };
        var login = await browser.PostAsJsonAsync("/api/auth/login", new { name = "si-asha", password = ServerFixture.Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("sr.session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie.Replace("samesite", ""), StringComparison.OrdinalIgnoreCase); // plain HTTP here; Secure over HTTPS

        var me = await browser.GetJsonAsync("/api/auth/me");
        Assert.True(me.GetProperty("authenticated").GetBoolean());
        Assert.Equal(("si-asha", "contributor", ServerFixture.NgoOrg, "cookie"),
            (me.GetProperty("name").GetString(), me.GetProperty("role").GetString(), me.GetProperty("organisation").GetString(), me.GetProperty("signedInWith").GetString()));

        // A change made with the cookie needs the anti-forgery token.
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.PostAsync("/api/auth/logout", null)).StatusCode);
        browser.DefaultRequestHeaders.Add("X-CSRF-TOKEN", me.GetProperty("antiforgery").GetProperty("token").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await browser.PostAsync("/api/auth/logout", null)).StatusCode);
        Assert.False((await browser.GetJsonAsync("/api/auth/me")).GetProperty("authenticated").GetBoolean());
    }

    [Fact]
    public async Task A_wrong_password_or_an_unknown_name_is_401_and_says_nothing_about_which()
    {
        await server.UserAsync("si-wrong", Role.Viewer, null);
        var wrong = await server.Client.PostAsJsonAsync("/api/auth/login", new { name = "si-wrong", password = "not the password" });
        var unknown = await server.Client.PostAsJsonAsync("/api/auth/login", new { name = "si-nobody", password = "not the password" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal("application/problem+json", wrong.Content.Headers.ContentType!.MediaType);
        Assert.Equal((await wrong.JsonAsync()).GetProperty("detail").GetString(), (await unknown.JsonAsync()).GetProperty("detail").GetString());
        Assert.False(wrong.Headers.Contains("Set-Cookie") && wrong.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("sr.session=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Guessing_one_accounts_password_is_stopped_with_429_and_Retry_After()
    {
        await server.UserAsync("si-target", Role.Admin, null);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 11; i++)
            statuses.Add((await server.Client.PostAsJsonAsync("/api/auth/login", new { name = "si-target", password = $"guess number {i}" })).StatusCode);
        Assert.All(statuses.Take(10), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[10]);

        var blocked = await server.Client.PostAsJsonAsync("/api/auth/login", new { name = "si-target", password = ServerFixture.Password });
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode); // even the right password, until the window ends
        Assert.True(blocked.Headers.RetryAfter!.Delta > TimeSpan.Zero);
        Assert.Equal("TooManyRequests", (await blocked.JsonAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task An_API_key_signs_in_is_stored_only_as_its_hash_and_stops_working_when_revoked()
    {
        await server.UserAsync("si-qgis", Role.Contributor, ServerFixture.CityOrg);
        using var browser = await server.SignInAsync("si-qgis");
        var issued = await browser.PostAsJsonAsync("/api/auth/keys", new { label = "QGIS on the survey laptop" });
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var body = await issued.JsonAsync();
        var key = body.GetProperty("key").GetString()!;
        Assert.StartsWith("srd_", key);

        // Only the SHA-256 of the key is stored; the key appears nowhere in the table.
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        Assert.Equal(1L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM api_keys WHERE sha256 = $1", sha));
        Assert.Equal(0L, await server.Database.ScalarAsync<long>("SELECT count(*) FROM api_keys k WHERE strpos(k::text, $1) > 0", key));

        foreach (var header in new[] { "Authorization", "X-Api-Key" })
        {
            using var script = new HttpClient { BaseAddress = server.BaseAddress };
            script.DefaultRequestHeaders.TryAddWithoutValidation(header, header == "Authorization" ? "Bearer " + key : key);
            var me = await script.GetJsonAsync("/api/auth/me");
            Assert.Equal(("si-qgis", "apikey"), (me.GetProperty("name").GetString(), me.GetProperty("signedInWith").GetString()));
        }
        var listed = await browser.GetStringAsync("/api/auth/keys");
        Assert.Contains("QGIS on the survey laptop", listed);
        Assert.DoesNotContain(key, listed);

        Assert.Equal(HttpStatusCode.NoContent, (await browser.DeleteAsync($"/api/auth/keys/{body.GetProperty("id").GetInt64()}")).StatusCode);
        using var revoked = new HttpClient { BaseAddress = server.BaseAddress };
        revoked.DefaultRequestHeaders.Authorization = new("Bearer", key);
        Assert.Equal(HttpStatusCode.Unauthorized, (await revoked.GetAsync("/api/cities")).StatusCode); // a bad key is refused even where none is needed
    }

    [Fact]
    public async Task A_disabled_user_or_a_changed_role_ends_the_session_at_once()
    {
        await server.UserAsync("si-leaver", Role.Moderator, ServerFixture.CityOrg);
        using var browser = await server.SignInAsync("si-leaver");
        Assert.Equal("moderator", (await browser.GetJsonAsync("/api/auth/me")).GetProperty("role").GetString());
        await new AccountStore(server.Database.DataSource).SetRoleAsync("si-leaver", Role.Contributor, ServerFixture.CityOrg);
        Assert.False((await browser.GetJsonAsync("/api/auth/me")).GetProperty("authenticated").GetBoolean());
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/contributions")).StatusCode);
    }

    [Fact]
    public async Task Changing_ones_password_needs_the_current_one_ends_other_sessions_and_keeps_this_one()
    {
        await server.UserAsync("si-changer", Role.Contributor, ServerFixture.NgoOrg);
        using var here = await server.SignInAsync("si-changer");
        using var elsewhere = await server.SignInAsync("si-changer");
        var wrong = await here.PostAsJsonAsync("/api/auth/password", new { current = "not it at all", @new = "a brand new passphrase" });
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        var weak = await here.PostAsJsonAsync("/api/auth/password", new { current = ServerFixture.Password, @new = "short" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, weak.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await here.PostAsJsonAsync("/api/auth/password", new { current = ServerFixture.Password, @new = "a brand new passphrase" })).StatusCode);

        Assert.True((await here.GetJsonAsync("/api/auth/me")).GetProperty("authenticated").GetBoolean());
        Assert.False((await elsewhere.GetJsonAsync("/api/auth/me")).GetProperty("authenticated").GetBoolean());
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client.PostAsJsonAsync("/api/auth/login", new { name = "si-changer", password = ServerFixture.Password })).StatusCode);
        using var again = await server.SignInAsync("si-changer", "a brand new passphrase");
        // What a signed-in reader gets is marked private, so no shared cache hands it to someone else.
        Assert.True((await again.GetAsync("/api/auth/keys")).Headers.CacheControl!.Private);
    }

    public static TheoryData<string, string> Writes => new()
    {
        { "POST", "/api/cities" },
        { "POST", "/api/cities/demopur/layers" },
        { "POST", "/api/cities/demopur/checks" },
        { "POST", "/api/cities/demopur/planning-uses" },
        { "PATCH", "/api/layers/1/access" },
        { "POST", "/api/layers/1/contributions" },
        { "POST", "/api/contributions/1/accept" },
        { "POST", "/api/contributions/1/reject" },
        { "POST", "/api/contributions/1/revert" },
        { "POST", "/ogc/collections/demopur__slums/items" },
        { "PUT", "/ogc/collections/demopur__slums/items/1" },
        { "PATCH", "/ogc/collections/demopur__slums/items/1" },
        { "DELETE", "/ogc/collections/demopur__slums/items/1" },
        { "POST", "/api/auth/keys" },
    };

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task Every_write_without_sign_in_is_401(string method, string path)
    {
        var response = await server.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { }) });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Too_small_a_role_is_403_naming_the_role_needed()
    {
        var city = await ContributionCity.CreateAsync(server, "si-roles");
        var proposed = await server.Contributor.ProposedAsync(city.Slums, "x", ContributionCity.Delete(city.S1, 1));
        var approving = await server.Contributor.ReviewAsync(proposed.Id(), "accept");
        Assert.Equal(HttpStatusCode.Forbidden, approving.StatusCode);
        Assert.Contains("needs a moderator", (await approving.JsonAsync()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Contributor.PostAsJsonAsync("/api/cities", new { id = "si-nope", name = "Nope" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Moderator.PostAsJsonAsync("/api/cities", new { id = "si-nope", name = "Nope" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Contributor.UploadAsync("si-roles", Encoding.UTF8.GetBytes("{}"), "x.geojson", "slum")).StatusCode);

        var viewer = await server.UserAsync("si-viewer", Role.Viewer, null);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.ProposeAsync(city.Slums, "x", ContributionCity.Delete(city.S2, 1))).StatusCode);
        var ogc = await viewer.DeleteAsync($"{city.Items}/{city.S2}");
        Assert.Equal(HttpStatusCode.Forbidden, ogc.StatusCode);
        Assert.Equal(2, (await server.Client.GetJsonAsync($"{city.Items}?limit=1")).GetProperty("numberMatched").GetInt32());
    }

    [Fact]
    public async Task Writes_beyond_the_per_user_limit_get_429()
    {
        await using var limited = new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("SR_PG", server.Database.ConnectionString);
            host.UseSetting(Microsoft.AspNetCore.Hosting.WebHostDefaults.ServerUrlsKey, "http://127.0.0.1:0");
            host.UseSetting("SR_WRITES_PER_USER", "2");
        });
        limited.UseKestrel(0);
        limited.StartServer();
        using var client = limited.CreateClient();
        // A user of its own: writes are counted in the database, so the admin's writes through the other server count too.
        using var writer = await server.UserAsync($"limit-{Guid.NewGuid():N}"[..20], Role.Viewer, null);
        client.DefaultRequestHeaders.Authorization = writer.DefaultRequestHeaders.Authorization;
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++) statuses.Add((await client.PostAsJsonAsync("/api/auth/keys", new { label = $"limit {i}" })).StatusCode);
        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/keys")).StatusCode); // reads are not limited
    }
}
