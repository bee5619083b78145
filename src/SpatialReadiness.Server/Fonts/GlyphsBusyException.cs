namespace SpatialReadiness.Server.Fonts;

/// <summary>Every slot for drawing glyphs stayed taken: answered 503 with Retry-After (ErrorAnswers).</summary>
public sealed class GlyphsBusyException() : Exception("Every slot for drawing glyph ranges is taken; try again in a few seconds.")
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);
}
