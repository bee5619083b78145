using System.Net;
using System.Text.Json;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Viewer;

/// <summary>
/// The label glyphs MapLibre GL asks for (/fonts/{fontstack}/{range}.pbf): every stack the styles name is served, with
/// real signed distance fields for the characters labels use, cached and readable from any site; nothing else is.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class GlyphTests(ServerFixture server)
{
    private readonly HttpClient _client = server.Client;

    private static string Url(string stack, string range) => $"/fonts/{Uri.EscapeDataString(stack)}/{range}";

    /// <summary>Every text-font stack of every style (as MapLibre joins it: names with commas).</summary>
    private async Task<IReadOnlyList<string>> StacksOfTheStylesAsync()
    {
        var stacks = new List<string>();
        foreach (var link in (await _client.GetJsonAsync("/styles")).EnumerateArray())
        {
            var style = await _client.GetJsonAsync(link.GetProperty("url").GetString()!);
            foreach (var layer in style.GetProperty("layers").EnumerateArray())
                if (layer.TryGetProperty("layout", out var layout) && layout.TryGetProperty("text-font", out var fonts))
                {
                    Assert.True(style.TryGetProperty("glyphs", out var glyphs), $"{link}: a style with labels needs \"glyphs\", or MapLibre GL JS refuses it");
                    Assert.EndsWith("/fonts/{fontstack}/{range}.pbf", glyphs.GetString());
                    stacks.Add(string.Join(',', fonts.EnumerateArray().Select(f => f.GetString())));
                }
        }
        Assert.Contains(stacks, s => s.StartsWith("Noto Sans Bold", StringComparison.Ordinal));
        return stacks.Distinct().ToList();
    }

    [Fact]
    public async Task Every_font_stack_of_the_styles_has_the_glyphs_of_digits_letters_Devanagari_and_Tamil()
    {
        foreach (var stack in await StacksOfTheStylesAsync())
        {
            var response = await _client.GetAsync(Url(stack, "0-255.pbf"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType?.MediaType);
            var (name, range, glyphs) = GlyphPbfReader.Read(await response.Content.ReadAsByteArrayAsync());
            Assert.Equal(stack, name);
            Assert.Equal("0-255", range);
            var byId = glyphs.ToDictionary(g => g.Id);
            // Every printable ASCII character: a box with its SDF (border of 3 on each side), ink inside, none at the corners.
            for (var c = '!'; c <= '~'; c++)
            {
                Assert.True(byId.TryGetValue(c, out var g), $"{stack}: no glyph for '{c}'");
                Assert.Equal((g.Width + 6) * (g.Height + 6), g.Bitmap.Length);
                Assert.InRange(g.Advance, 3, 30);
                Assert.True(g.Bitmap.Max() > 191, $"{stack} '{c}': no pixel inside the outline ({g.Bitmap.Max()})");
                Assert.True(g.Bitmap[0] < 100 && g.Bitmap[^1] < 100, $"{stack} '{c}': the field's corners are not far outside");
            }
            Assert.True(byId[' '].Advance > 0 && byId[' '].Bitmap.Length == 0, "a space advances and draws nothing");
            // Vertical metrics as MapLibre places them: capitals and digits sit on one baseline, a descender hangs below it.
            Assert.Equal(byId['0'].Top, byId['H'].Top);
            Assert.True(byId['g'].Top - byId['g'].Height < byId['H'].Top - byId['H'].Height);
            Assert.True(byId['W'].Width > byId['i'].Width);

            // Names in the cities' own scripts: Devanagari (Pune's ward names) and Tamil (Chennai), from the stack's fallbacks.
            foreach (var (block, letter) in new[] { ("2304-2559", 0x0915 /* क */), ("2816-3071", 0x0B95 /* க */) })
            {
                var (_, _, scriptGlyphs) = GlyphPbfReader.Read(await _client.GetByteArrayAsync(Url(stack, block + ".pbf")));
                var glyph = Assert.Single(scriptGlyphs, g => g.Id == letter);
                Assert.True(glyph.Bitmap.Max() > 191);
            }
        }
    }

    [Fact]
    public async Task Glyphs_are_public_cached_and_revalidated_from_any_site()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Url("Noto Sans Regular", "0-255.pbf"));
        request.Headers.Add("Origin", "https://news.example");
        var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("public, max-age=86400", response.Headers.CacheControl?.ToString());
        var again = new HttpRequestMessage(HttpMethod.Get, Url("Noto Sans Regular", "0-255.pbf"));
        again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await _client.SendAsync(again)).StatusCode);

        var fonts = await _client.GetJsonAsync("/fonts");
        Assert.Contains("Noto Sans Devanagari Bold", fonts.GetProperty("fonts").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal($"{server.BaseAddress.ToString().TrimEnd('/')}/fonts/{{fontstack}}/{{range}}.pbf", fonts.GetProperty("glyphs").GetString());
        var file = await _client.GetAsync("/fonts/files/NotoSans-Bold.ttf");
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal("font/ttf", file.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await File.ReadAllBytesAsync("/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"), await file.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/fonts/Comic%20Sans%20Regular/0-255.pbf", "'Comic Sans Regular' is no font here")]
    [InlineData("/fonts/Noto%20Sans%20Regular,Wingdings/0-255.pbf", "'Wingdings' is no font here")]
    [InlineData("/fonts/Noto%20Sans%20Regular/0-300.pbf", "is no glyph range")]
    [InlineData("/fonts/Noto%20Sans%20Regular/1-256.pbf", "is no glyph range")]
    [InlineData("/fonts/Noto%20Sans%20Regular/65536-65791.pbf", "is no glyph range")]
    [InlineData("/fonts/Noto%20Sans%20Regular/0-255.png", "is no glyph range")]
    [InlineData("/fonts/..%2F..%2F..%2Fetc%2Fpasswd/0-255.pbf", "is no font here")]
    [InlineData("/fonts/files/..%2F..%2F..%2Fetc%2Fpasswd", "is no font file here")]
    [InlineData("/fonts/files/NotoSans-Regular.ttf%2F..%2F..%2Fdejavu%2FDejaVuSans.ttf", "is no font file here")]
    [InlineData("/fonts/files/fonts.conf", "is no font file here")]
    public async Task Anything_but_a_font_and_range_served_here_is_a_404_problem(string url, string detail)
    {
        var response = await _client.GetAsync(url);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(detail, (await response.JsonAsync()).GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("/fonts/../../etc/passwd")]
    [InlineData("/fonts/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/fonts/Noto%20Sans%20Regular/../../../../etc/passwd")]
    public async Task A_path_climbing_out_of_the_fonts_reaches_nothing(string url)
    {
        var response = await _client.GetAsync(url);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("root:", await response.Content.ReadAsStringAsync());
    }
}
