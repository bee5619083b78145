using System.Net;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Http;

/// <summary>CORS as a browser on another site meets it: public reads from anywhere, signed-in calls only from configured sites.</summary>
[Collection(PostgisCollection.Name)]
public sealed class CrossOriginTests(ServerFixture server) : IAsyncLifetime
{
    private const string City = "cors-city", Elsewhere = "https://news.example";
    private long _wards, _secret;

    /// <summary>Once per server (xUnit makes a class instance per test): the city, or the layers it already has.</summary>
    public async Task InitializeAsync()
    {
        if ((await server.Client.GetAsync($"/api/cities/{City}")).IsSuccessStatusCode)
        {
            var layers = (await server.Admin.GetJsonAsync($"/api/cities/{City}/layers")).EnumerateArray().ToList();
            _wards = layers.Single(l => l.GetProperty("name").GetString() == "wards").GetProperty("id").GetInt64();
            _secret = layers.Single(l => l.GetProperty("name").GetString() == "households").GetProperty("id").GetInt64();
            return;
        }
        await server.Admin.CreateCityAsync(City);
        _wards = (await server.Admin.UploadAsync(City, SharedData.Path("pune/pune-electoral-wards_2022.geojson"), "ward", ("name", "wards")).CreatedLayerAsync()).GetProperty("id").GetInt64();
        _secret = (await server.Admin.UploadAsync(City, SharedData.Path("mumbai/slumClusters.geojson"), "slum", ("name", "households"), ("sensitive", "true"), ("owner", ServerFixture.CityOrg))
            .CreatedLayerAsync()).GetProperty("id").GetInt64();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static HttpRequestMessage From(string origin, HttpMethod method, string url, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Add("Origin", origin);
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    private static void AssertNoCors(HttpResponseMessage response)
    {
        Assert.Null(Header(response, "Access-Control-Allow-Origin"));
        Assert.Null(Header(response, "Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task Public_reads_answer_any_origin_without_credentials_and_vary_by_origin()
    {
        var (z, x, y) = VectorTiles.TileOf(73.856, 18.52, 12);
        foreach (var url in new[] { $"/tiles/{_wards}/{z}/{x}/{y}.mvt", $"/tiles/{_wards}.json", $"/tiles/city/{City}.json", $"/styles/ward?layer={_wards}",
                     "/ogc", $"/ogc/collections/{City}__wards/items?limit=2", "/odata/Wards", $"/api/cities/{City}/layers", "/openapi/v1.json" })
        {
            var response = await server.Client.SendAsync(From(Elsewhere, HttpMethod.Get, url));
            Assert.True(response.IsSuccessStatusCode, $"{url}: {response.StatusCode}");
            Assert.Equal("*", Header(response, "Access-Control-Allow-Origin"));
            Assert.Null(Header(response, "Access-Control-Allow-Credentials"));
            Assert.Contains("Origin", Header(response, "Vary") ?? "");
        }
        // The tile keeps its own Vary too, and ETag is readable by the page (for revalidation).
        var tile = await server.Client.SendAsync(From(Elsewhere, HttpMethod.Get, $"/tiles/{_wards}/{z}/{x}/{y}.mvt"));
        Assert.Contains("Accept-Encoding", Header(tile, "Vary"));
        Assert.Contains("ETag", Header(tile, "Access-Control-Expose-Headers"));
    }

    [Fact]
    public async Task A_preflight_on_tiles_is_answered_for_any_origin_but_allows_no_credential_headers()
    {
        var preflight = await server.Client.SendAsync(From(Elsewhere, HttpMethod.Options, $"/tiles/{_wards}/12/2886/1885.mvt",
            ("Access-Control-Request-Method", "GET"), ("Access-Control-Request-Headers", "if-none-match")));
        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal("*", Header(preflight, "Access-Control-Allow-Origin"));
        Assert.Contains("GET", Header(preflight, "Access-Control-Allow-Methods"));
        Assert.Contains("If-None-Match", Header(preflight, "Access-Control-Allow-Headers"));
        Assert.DoesNotContain("Authorization", Header(preflight, "Access-Control-Allow-Headers"));

        // A write from a site not configured: the preflight is answered, and refused (no CORS headers).
        var write = await server.Client.SendAsync(From(Elsewhere, HttpMethod.Options, "/api/cities",
            ("Access-Control-Request-Method", "POST"), ("Access-Control-Request-Headers", "authorization,content-type")));
        Assert.Equal(HttpStatusCode.NoContent, write.StatusCode);
        AssertNoCors(write);
    }

    [Fact]
    public async Task Signed_in_calls_and_writes_are_open_only_to_the_configured_origin_with_credentials()
    {
        var me = await server.Moderator.SendAsync(From(Elsewhere, HttpMethod.Get, "/api/auth/me"));
        AssertNoCors(me);

        var trusted = await server.Moderator.SendAsync(From(ServerFixture.TrustedOrigin, HttpMethod.Get, "/api/auth/me"));
        Assert.Equal(ServerFixture.TrustedOrigin, Header(trusted, "Access-Control-Allow-Origin"));
        Assert.Equal("true", Header(trusted, "Access-Control-Allow-Credentials"));
        Assert.Contains("Origin", Header(trusted, "Vary"));

        var preflight = await server.Client.SendAsync(From(ServerFixture.TrustedOrigin, HttpMethod.Options, "/api/cities",
            ("Access-Control-Request-Method", "POST"), ("Access-Control-Request-Headers", "authorization,content-type")));
        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal(ServerFixture.TrustedOrigin, Header(preflight, "Access-Control-Allow-Origin"));
        Assert.Contains("POST", Header(preflight, "Access-Control-Allow-Methods"));
        Assert.Contains("authorization", Header(preflight, "Access-Control-Allow-Headers"));
        Assert.Equal("true", Header(preflight, "Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task What_only_a_signed_in_reader_sees_is_never_readable_from_a_site_not_configured()
    {
        // The sensitive layer's TileJSON, for its owner's moderator: served, but without CORS to another site ...
        var elsewhere = await server.Moderator.SendAsync(From(Elsewhere, HttpMethod.Get, $"/tiles/{_secret}.json"));
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
        AssertNoCors(elsewhere);
        Assert.Contains("Origin", Header(elsewhere, "Vary")); // a cache must not hand it to another origin either
        // ... and the anonymous answer (what any site gets) has no sensitive layer: it does not exist for them.
        var anonymous = await server.Client.SendAsync(From(Elsewhere, HttpMethod.Get, $"/tiles/{_secret}.json"));
        Assert.Equal(HttpStatusCode.NotFound, anonymous.StatusCode);
        Assert.Equal("*", Header(anonymous, "Access-Control-Allow-Origin"));
        // The configured site may read it, with credentials.
        var trusted = await server.Moderator.SendAsync(From(ServerFixture.TrustedOrigin, HttpMethod.Get, $"/tiles/{_secret}.json"));
        Assert.Equal(HttpStatusCode.OK, trusted.StatusCode);
        Assert.Equal(ServerFixture.TrustedOrigin, Header(trusted, "Access-Control-Allow-Origin"));
        Assert.Equal("true", Header(trusted, "Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task A_public_answer_to_a_request_without_origin_still_varies_by_origin()
    {
        // A shared cache (nginx in front, a CDN) keeps what the first reader got: without Vary: Origin the answer a
        // same-site reader fetched (no Origin, so no CORS headers) would be handed to a page on another site, whose
        // browser would then refuse it.
        var (z, x, y) = VectorTiles.TileOf(73.856, 18.52, 12);
        foreach (var url in new[] { $"/tiles/{_wards}/{z}/{x}/{y}.mvt", $"/tiles/{_wards}.json", "/ogc" })
        {
            var response = await server.Client.GetAsync(url);
            Assert.True(response.IsSuccessStatusCode, $"{url}: {response.StatusCode}");
            Assert.Contains("Origin", Header(response, "Vary") ?? "");
        }
    }

    [Fact]
    public async Task A_key_sent_as_X_Api_Key_is_a_credential_too_and_gets_no_cors_from_a_site_not_configured()
    {
        var key = server.Moderator.DefaultRequestHeaders.Authorization!.Parameter!;
        var keyed = await server.Client.SendAsync(From(Elsewhere, HttpMethod.Get, $"/tiles/{_secret}.json", ("X-Api-Key", key)));
        Assert.Equal(HttpStatusCode.OK, keyed.StatusCode); // the owner's moderator reads the sensitive layer ...
        AssertNoCors(keyed); // ... but no page on another site may read what the key revealed
        Assert.Contains("Origin", Header(keyed, "Vary"));
    }
}
