namespace SpatialReadiness.Server.Tests.Infrastructure;

/// <summary>A glyph as a glyph PBF carries it (MapLibre's glyphs.proto).</summary>
public sealed record ReadGlyph(int Id, byte[] Bitmap, int Width, int Height, int Left, int Top, int Advance);

/// <summary>
/// Reads glyph range PBFs field by field from the wire format, as MapLibre's parser does, so a test sees what a
/// client sees: the fontstack's name and range, and each glyph.
/// </summary>
public static class GlyphPbfReader
{
    public static (string Name, string Range, IReadOnlyList<ReadGlyph> Glyphs) Read(byte[] pbf)
    {
        string name = "", range = "";
        var glyphs = new List<ReadGlyph>();
        var stacks = 0;
        foreach (var (field, _, stack) in Fields(pbf))
        {
            Assert.Equal(1, field); // glyphs.stacks
            stacks++;
            foreach (var (f, value, bytes) in Fields(stack))
                switch (f)
                {
                    case 1: name = System.Text.Encoding.UTF8.GetString(bytes); break;
                    case 2: range = System.Text.Encoding.UTF8.GetString(bytes); break;
                    case 3: glyphs.Add(Glyph(bytes)); break;
                }
        }
        Assert.Equal(1, stacks);
        return (name, range, glyphs);
    }

    private static ReadGlyph Glyph(byte[] message)
    {
        var values = new Dictionary<int, ulong>();
        byte[] bitmap = [];
        foreach (var (field, value, bytes) in Fields(message))
            if (field == 2) bitmap = bytes;
            else values[field] = value;
        int ZigZag(ulong v) => (int)((long)(v >> 1) ^ -(long)(v & 1));
        return new ReadGlyph((int)values[1], bitmap, (int)values[3], (int)values[4], ZigZag(values[5]), ZigZag(values[6]), (int)values[7]);
    }

    private static IEnumerable<(int Field, ulong Value, byte[] Bytes)> Fields(byte[] data)
    {
        var at = 0;
        while (at < data.Length)
        {
            var key = Varint(data, ref at);
            var (field, wire) = ((int)(key >> 3), (int)(key & 7));
            if (wire == 0) yield return (field, Varint(data, ref at), []);
            else if (wire == 2)
            {
                var length = (int)Varint(data, ref at);
                yield return (field, 0, data[at..(at + length)]);
                at += length;
            }
            else throw new InvalidDataException($"wire type {wire} at byte {at}: a glyph PBF has only varints and bytes");
        }
    }

    private static ulong Varint(byte[] data, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
    }
}
