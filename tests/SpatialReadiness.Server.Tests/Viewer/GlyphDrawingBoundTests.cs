using Microsoft.Extensions.Logging.Abstractions;
using SpatialReadiness.Server.Fonts;

namespace SpatialReadiness.Server.Tests.Viewer;

/// <summary>
/// Drawing glyph ranges is bounded: while every drawing slot is taken, a range already drawn is still served and a new
/// one is refused as busy (503 + Retry-After) instead of queueing without end; a stack naming one font many times draws it once.
/// </summary>
public sealed class GlyphDrawingBoundTests
{
    private const string Fonts = "/usr/share/fonts/truetype/noto";

    [Fact]
    public async Task While_every_drawing_slot_is_taken_a_drawn_range_is_served_and_a_new_one_is_busy()
    {
        var slots = new SemaphoreSlim(1);
        var glyphs = new Glyphs(Fonts, NullLogger<Glyphs>.Instance, slots);
        var (stack, unknown) = glyphs.Stack("Noto Sans Regular");
        Assert.True(stack is not null, $"the Noto fonts are missing ({unknown}): tools/setup installs fonts-noto-core");
        var latin = await glyphs.RangeAsync(stack, 0);

        slots.Wait(); // another request drawing
        Assert.Equal(latin, await glyphs.RangeAsync(stack, 0));
        await Assert.ThrowsAsync<GlyphsBusyException>(() => glyphs.RangeAsync(stack, 2304));

        slots.Release();
        Assert.NotEmpty(await glyphs.RangeAsync(stack, 2304));
    }

    [Fact]
    public void A_stack_naming_one_font_many_times_is_that_font_once()
    {
        var glyphs = new Glyphs(Fonts, NullLogger<Glyphs>.Instance);
        var (stack, _) = glyphs.Stack(string.Join(',', Enumerable.Repeat("Noto Sans Regular", Glyphs.MaxStack + 4)));
        Assert.Equal(["Noto Sans Regular"], stack);
    }
}
