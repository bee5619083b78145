using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace SpatialReadiness.Server.Fonts;

/// <summary>
/// The glyphs MapLibre styles ask for ("glyphs": ".../fonts/{fontstack}/{range}.pbf"), drawn on first use from the
/// fonts in one folder (SR_FONTS; Debian's fonts-noto-core by default) and kept. A font is named as MapLibre styles
/// name fonts: its family and the style its file name ends with ("NotoSansDevanagari-Bold.ttf" is "Noto Sans Devanagari
/// Bold"). A stack of several fonts takes each character from the first font that has it. The font files are served
/// too (/fonts/files/{file}, for the web map's canvas labels). Names are only looked up, never made into paths, so
/// nothing outside the folder can be asked for.
/// </summary>
public sealed partial class Glyphs(string directory, ILogger<Glyphs> log, SemaphoreSlim? drawSlots = null)
{
    /// <summary>The SDF border around each glyph's box, in pixels (MapLibre's GLYPH_PBF_BORDER).</summary>
    public const int Border = 3;

    /// <summary>More fonts than this in one stack is not a style's fallback list.</summary>
    public const int MaxStack = 8;

    public const string MediaType = "application/x-protobuf";

    /// <summary>Drawn ranges kept up to this many bytes of bitmaps; beyond it (a crawl of every range of every font) they are drawn per request.</summary>
    public const long CacheBytes = 64L << 20;

    private readonly Lazy<IReadOnlyDictionary<string, string>> fonts = new(() => Discover(directory, log));
    private readonly ConcurrentDictionary<string, Lazy<GlyphRasterizer>> rasterizers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Font, int Start), Lazy<IReadOnlyList<Glyph>>> ranges = new();
    private long cachedBytes;

    // Drawing a range is CPU work (256 glyphs through Skia and a distance field): at most one per core at a time, so a
    // crawl of uncached ranges cannot take every core from tiles and feeds; a draw that finds no slot soon is a 503.
    private readonly SemaphoreSlim drawSlots = drawSlots ?? new(Environment.ProcessorCount);
    private static readonly TimeSpan DrawWait = TimeSpan.FromSeconds(2);

    /// <summary>The fonts a stack may name, sorted.</summary>
    public IReadOnlyList<string> FontNames => fonts.Value.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>The path of a font file by its file name ("NotoSans-Bold.ttf"), when it is one of the fonts here.</summary>
    public string? File(string fileName) =>
        fonts.Value.Values.FirstOrDefault(path => string.Equals(Path.GetFileName(path), fileName, StringComparison.Ordinal));

    /// <summary>The first code point of a range written as MapLibre asks for it ("256-511"), or null when it is not one.</summary>
    public static int? RangeStart(string range)
    {
        var match = RangePattern().Match(range);
        if (!match.Success || !int.TryParse(match.Groups[1].Value, out var start) || !int.TryParse(match.Groups[2].Value, out var end)) return null;
        return start % 256 == 0 && end == start + 255 && end <= 0xFFFF ? start : null;
    }

    /// <summary>The fonts of a stack ("Noto Sans Regular,Noto Sans Devanagari Regular"), or the first name that is no font here.</summary>
    public (IReadOnlyList<string>? Fonts, string? Unknown) Stack(string stack)
    {
        var names = stack.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToArray();
        if (names.Length is 0 or > MaxStack) return (null, stack);
        foreach (var name in names)
            if (!fonts.Value.ContainsKey(name)) return (null, name);
        return (names, null);
    }

    /// <summary>The range file of a stack: each code point from the first of <paramref name="stack"/> that has it.</summary>
    public async Task<byte[]> RangeAsync(IReadOnlyList<string> stack, int start, CancellationToken cancellationToken = default)
    {
        var taken = new SortedDictionary<int, Glyph>();
        foreach (var font in stack)
            foreach (var glyph in await DrawnAsync(font, start, cancellationToken))
                taken.TryAdd(glyph.Id, glyph);
        return GlyphPbf.Write(string.Join(',', stack), $"{start}-{start + 255}", taken.Values);
    }

    private async Task<IReadOnlyList<Glyph>> DrawnAsync(string font, int start, CancellationToken cancellationToken)
    {
        var key = (font, start);
        if (ranges.TryGetValue(key, out var kept)) return kept.Value;
        // Waited for without holding a thread, so a crawl of uncached ranges cannot starve tile and feed requests.
        if (!await drawSlots.WaitAsync(DrawWait, cancellationToken)) throw new GlyphsBusyException();
        try { return Draw(font, start, key); }
        finally { drawSlots.Release(); }
    }

    private IReadOnlyList<Glyph> Draw(string font, int start, (string, int) key)
    {
        var drawing = new Lazy<IReadOnlyList<Glyph>>(() =>
        {
            var rasterizer = rasterizers.GetOrAdd(font, name => new Lazy<GlyphRasterizer>(() => new GlyphRasterizer(fonts.Value[name]))).Value;
            return Enumerable.Range(start, 256).Select(rasterizer.Draw).OfType<Glyph>().ToList();
        });
        if (Interlocked.Read(ref cachedBytes) >= CacheBytes) return drawing.Value;
        var shared = ranges.GetOrAdd(key, drawing);
        if (ReferenceEquals(shared, drawing)) Interlocked.Add(ref cachedBytes, drawing.Value.Sum(g => g.Bitmap.Length + 64L));
        return shared.Value;
    }

    private static Dictionary<string, string> Discover(string directory, ILogger log)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(directory))
        {
            log.LogWarning("No fonts folder at {Directory} (SR_FONTS): /fonts serves no glyphs, and MapLibre GL JS draws no labels. Debian's fonts-noto-core provides the default.", directory);
            return found;
        }
        foreach (var path in Directory.EnumerateFiles(directory).Where(p => p.EndsWith(".ttf", StringComparison.OrdinalIgnoreCase) || p.EndsWith(".otf", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal))
        {
            try
            {
                using var typeface = SkiaSharp.SKTypeface.FromFile(path);
                if (typeface is null) continue;
                var file = Path.GetFileNameWithoutExtension(path);
                var dash = file.LastIndexOf('-');
                var style = dash < 0 ? "Regular" : StyleWords().Replace(file[(dash + 1)..], " ");
                found.TryAdd($"{typeface.FamilyName} {style}", path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                log.LogWarning(e, "Font {Path} is not readable; left out of /fonts.", path);
            }
        }
        return found;
    }

    [GeneratedRegex(@"^(\d{1,5})-(\d{1,5})$")]
    private static partial Regex RangePattern();

    /// <summary>"BoldItalic" → "Bold Italic": a space where a lower-case letter meets a capital.</summary>
    [GeneratedRegex(@"(?<=[a-z])(?=[A-Z])")]
    private static partial Regex StyleWords();
}
