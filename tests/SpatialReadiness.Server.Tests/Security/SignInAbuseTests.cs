using System.Net;
using System.Net.Http.Json;
using System.Text;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Security;

/// <summary>
/// Sign-in under abuse: bodies larger than a sign-in are refused before they are read, passwords have a maximum length,
/// only failures count, a guesser locks out only themselves (the real user, from another address, still signs in), and
/// Retry-After says the time actually left.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class SignInAbuseTests(ServerFixture server)
{
    private HttpClient From(string address) => LoopbackClients.From(address, server.BaseAddress);

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_sign_in_body_over_4_KiB_is_413_problem_json_whether_its_length_is_declared_or_not()
    {
        var padding = new string('x', 5000);
        var declared = await server.Client.PostAsync("/api/auth/login", Json($$"""{"name":"abuse-big","password":"{{padding}}"}"""));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Equal("application/problem+json", declared.Content.Headers.ContentType?.MediaType);
        Assert.Contains("4 KiB", (await declared.JsonAsync()).GetProperty("detail").GetString());

        // Chunked: no Content-Length to refuse up front, so the server stops reading at the limit.
        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes($$"""{"name":"abuse-big","password":"{{padding}}"}""")));
        chunked.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        var streamed = await server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, streamed.StatusCode);
        Assert.Equal("TooLarge", (await streamed.JsonAsync()).GetProperty("code").GetString());

        // Other small JSON endpoints take 64 KiB, not the upload limit.
        var city = await server.Admin.PostAsync("/api/cities", Json($$"""{"id":"abuse-big","name":"{{new string('x', 70_000)}}"}"""));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, city.StatusCode);
    }

    [Fact]
    public async Task A_password_longer_than_256_characters_is_refused_at_sign_in_and_as_a_new_password()
    {
        await server.UserAsync("abuse-long", Role.Viewer, null);
        var login = await server.Client.PostAsJsonAsync("/api/auth/login", new { name = "abuse-long", password = new string('p', 257) });
        Assert.Equal(HttpStatusCode.BadRequest, login.StatusCode);
        Assert.Contains("256", (await login.JsonAsync()).GetProperty("detail").GetString());

        using var session = await server.SignInAsync("abuse-long");
        var change = await session.PostAsJsonAsync("/api/auth/password", new { current = ServerFixture.Password, @new = new string('p', 257) });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, change.StatusCode);
        Assert.Contains("at most 256", (await change.JsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Successful_sign_ins_are_not_counted()
    {
        await server.UserAsync("abuse-often", Role.Viewer, null);
        using var client = From("127.0.0.5"); // no cookies: each sign-in is a fresh one
        for (var i = 0; i < 13; i++)
        {
            var response = await client.PostAsJsonAsync("/api/auth/login", new { name = "abuse-often", password = ServerFixture.Password });
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"sign-in {i + 1}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task Guesses_sent_all_at_once_get_no_more_tries_than_guesses_sent_one_by_one()
    {
        await server.UserAsync("abuse-burst", Role.Moderator, ServerFixture.CityOrg);
        using var attacker = From("127.0.0.77");
        var guesses = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            attacker.PostAsJsonAsync("/api/auth/login", new { name = "abuse-burst", password = $"burst guess {i}" })));
        var tried = guesses.Count(g => g.StatusCode == HttpStatusCode.Unauthorized);
        Assert.True(tried is >= 1 and <= 10, $"{tried} of 40 parallel guesses had their password checked; the limit is 10 in 15 minutes");
        Assert.All(guesses.Where(g => g.StatusCode != HttpStatusCode.Unauthorized), g => Assert.Equal(HttpStatusCode.TooManyRequests, g.StatusCode));
        // Refused guesses were never checked, so they do not count: the real user still signs in from elsewhere.
        using var owner = From("127.0.0.78");
        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsJsonAsync("/api/auth/login", new { name = "abuse-burst", password = ServerFixture.Password })).StatusCode);
    }

    [Fact]
    public async Task Guessing_under_someones_name_from_one_address_locks_out_only_that_address()
    {
        await server.UserAsync("abuse-victim", Role.Moderator, ServerFixture.CityOrg);
        using var attacker = From("127.0.0.2");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 14; i++)
            statuses.Add((await attacker.PostAsJsonAsync("/api/auth/login", new { name = "abuse-victim", password = $"wrong guess {i}" })).StatusCode);
        Assert.All(statuses.Take(10), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.All(statuses.Skip(10), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        // The attacker cannot get in even with the right password now ...
        Assert.Equal(HttpStatusCode.TooManyRequests, (await attacker.PostAsJsonAsync("/api/auth/login", new { name = "abuse-victim", password = ServerFixture.Password })).StatusCode);

        // ... but the real user, from their own address, still signs in (the name's failures only slow it down).
        using var owner = From("127.0.0.3");
        var started = DateTime.UtcNow;
        var login = await owner.PostAsJsonAsync("/api/auth/login", new { name = "abuse-victim", password = ServerFixture.Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(150), "the name's attempts are slowed once it has many failures");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Retry_After_says_the_time_actually_left()
    {
        await server.UserAsync("abuse-retry", Role.Viewer, null);
        using var guesser = From("127.0.0.4");
        // The first failure is counted at some moment between sending it and its answer.
        var firstSent = DateTime.UtcNow;
        DateTime firstAnswered = default;
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await guesser.PostAsJsonAsync("/api/auth/login", new { name = "abuse-retry", password = $"guess {i}" })).StatusCode);
            if (i == 0) firstAnswered = DateTime.UtcNow;
        }

        var refusedSent = DateTime.UtcNow;
        var refused = await guesser.PostAsJsonAsync("/api/auth/login", new { name = "abuse-retry", password = "guess 11" });
        var refusedAnswered = DateTime.UtcNow;
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retryAfter = refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds;
        // The first failure ages out 15 minutes after it was made: that is the time left, not a whole new window.
        Assert.InRange(retryAfter, 900 - (refusedAnswered - firstSent).TotalSeconds, 900 - (refusedSent - firstAnswered).TotalSeconds + 1);
        Assert.Contains($"{(int)retryAfter} s", (await refused.JsonAsync()).GetProperty("detail").GetString());

        // Later, less is left: by the time that passed (a fixed window would say the same, or a whole window again).
        await Task.Delay(TimeSpan.FromSeconds(2.2));
        var later = await guesser.PostAsJsonAsync("/api/auth/login", new { name = "abuse-retry", password = "guess 12" });
        var passed = (DateTime.UtcNow - refusedSent).TotalSeconds;
        Assert.Equal(HttpStatusCode.TooManyRequests, later.StatusCode);
        Assert.InRange(later.Headers.RetryAfter!.Delta!.Value.TotalSeconds, retryAfter - passed - 1, retryAfter - 2);
    }
}
