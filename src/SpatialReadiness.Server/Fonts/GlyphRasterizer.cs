using SkiaSharp;

namespace SpatialReadiness.Server.Fonts;

/// <summary>
/// Draws one font's glyphs as MapLibre wants them: at 24 px, antialiased, unhinted, turned into a signed distance
/// field with a 3-pixel border. Metrics follow the glyph PBFs MapLibre's own tools make (fontnik): left and top of the
/// glyph's box from the pen position, top less the font's ascent, advance rounded to whole pixels.
/// </summary>
public sealed class GlyphRasterizer : IDisposable
{
    public const float Size = 24;

    private readonly SKTypeface typeface;
    private readonly SKFont font;
    private readonly int ascent;
    private readonly Lock drawing = new();

    public GlyphRasterizer(string path)
    {
        typeface = SKTypeface.FromFile(path) ?? throw new InvalidDataException($"{path} is not a font Skia can read.");
        font = new SKFont(typeface, Size) { Edging = SKFontEdging.Antialias, Hinting = SKFontHinting.None, Subpixel = true, LinearMetrics = true };
        ascent = (int)Math.Round(-font.Metrics.Ascent);
    }

    public string FamilyName => typeface.FamilyName;

    /// <summary>The glyph of <paramref name="codePoint"/>, or null when the font has none.</summary>
    public Glyph? Draw(int codePoint)
    {
        lock (drawing)
        {
            var id = font.GetGlyph(codePoint);
            if (id == 0) return null;
            var advance = (int)Math.Round(font.GetGlyphWidths([id], null)[0]);
            using var path = font.GetGlyphPath(id);
            var bounds = path?.TightBounds ?? SKRect.Empty;
            if (path is null || bounds.IsEmpty) return new Glyph(codePoint, [], 0, 0, 0, 0, advance);
            int left = (int)Math.Floor(bounds.Left), top = (int)Math.Floor(bounds.Top);
            int width = (int)Math.Ceiling(bounds.Right) - left, height = (int)Math.Ceiling(bounds.Bottom) - top;
            int paddedWidth = width + 2 * Glyphs.Border, paddedHeight = height + 2 * Glyphs.Border;
            using var bitmap = new SKBitmap(new SKImageInfo(paddedWidth, paddedHeight, SKColorType.Alpha8, SKAlphaType.Premul));
            using (var canvas = new SKCanvas(bitmap))
            using (var paint = new SKPaint { IsAntialias = true, Color = SKColors.Black, Style = SKPaintStyle.Fill })
            {
                canvas.Clear(SKColors.Transparent);
                canvas.Translate(Glyphs.Border - left, Glyphs.Border - top);
                canvas.DrawPath(path, paint);
            }
            var coverage = bitmap.GetPixelSpan();
            var rowBytes = bitmap.RowBytes;
            var packed = new byte[paddedWidth * paddedHeight];
            for (var y = 0; y < paddedHeight; y++) coverage.Slice(y * rowBytes, paddedWidth).CopyTo(packed.AsSpan(y * paddedWidth));
            // Skia's y grows downward: the box's top is -top above the baseline.
            return new Glyph(codePoint, SignedDistanceField.FromCoverage(packed, paddedWidth, paddedHeight), width, height, left, -top - ascent, advance);
        }
    }

    public void Dispose()
    {
        font.Dispose();
        typeface.Dispose();
    }
}
