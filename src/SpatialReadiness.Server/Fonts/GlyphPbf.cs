namespace SpatialReadiness.Server.Fonts;

/// <summary>One glyph as MapLibre's glyph PBFs carry it: an SDF bitmap (its box plus <see cref="Glyphs.Border"/> on each side) and metrics in pixels at 24 px.</summary>
public sealed record Glyph(int Id, byte[] Bitmap, int Width, int Height, int Left, int Top, int Advance);

/// <summary>
/// The glyph range file MapLibre GL JS and MapLibre Native read (the "glyphs" protobuf: one fontstack with its name,
/// range and glyphs), written by hand: seven fields do not need a protobuf library.
/// </summary>
public static class GlyphPbf
{
    public static byte[] Write(string stack, string range, IEnumerable<Glyph> glyphs)
    {
        var fontstack = new MemoryStream();
        String(fontstack, 1, stack);
        String(fontstack, 2, range);
        foreach (var glyph in glyphs)
        {
            var message = new MemoryStream();
            Varint(message, 1, (uint)glyph.Id);
            if (glyph.Bitmap.Length > 0) Bytes(message, 2, glyph.Bitmap);
            Varint(message, 3, (uint)glyph.Width);
            Varint(message, 4, (uint)glyph.Height);
            Varint(message, 5, ZigZag(glyph.Left));
            Varint(message, 6, ZigZag(glyph.Top));
            Varint(message, 7, (uint)glyph.Advance);
            Bytes(fontstack, 3, message.ToArray());
        }
        var file = new MemoryStream();
        Bytes(file, 1, fontstack.ToArray());
        return file.ToArray();
    }

    private static uint ZigZag(int value) => (uint)((value << 1) ^ (value >> 31));

    private static void Varint(Stream stream, int field, uint value)
    {
        WriteVarint(stream, (uint)(field << 3));
        WriteVarint(stream, value);
    }

    private static void String(Stream stream, int field, string value) => Bytes(stream, field, System.Text.Encoding.UTF8.GetBytes(value));

    private static void Bytes(Stream stream, int field, byte[] value)
    {
        WriteVarint(stream, (uint)(field << 3 | 2));
        WriteVarint(stream, (uint)value.Length);
        stream.Write(value);
    }

    private static void WriteVarint(Stream stream, uint value)
    {
        while (value >= 0x80)
        {
            stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        stream.WriteByte((byte)value);
    }
}
