using System.Text;

namespace SpatialReadiness.Ingest.Formats;

/// <summary>Errors for text that is not valid in its encoding, naming the exact line and the bytes.</summary>
internal static class TextErrors
{
    /// <summary>
    /// The error for a text file that is not valid in <paramref name="encoding"/>. Readers decode in 64 KB blocks, so
    /// where they stood when decoding failed is only near the bad bytes; the file is re-read to name the exact line.
    /// </summary>
    public static InputException NotValidText(string path, Encoding encoding, string format, long nearLine)
    {
        var (line, bytes) = FirstUndecodableLine(path, encoding) ?? (nearLine, []);
        return NotValidText(encoding, format, line, bytes);
    }

    public static InputException NotValidText(Encoding encoding, string format, long line, byte[] bytes)
    {
        var name = encoding is UTF8Encoding ? "UTF-8" : encoding.WebName;
        var hex = bytes.Length == 0 ? "" : $" (bytes {Convert.ToHexString(bytes)})";
        return new InputException(InputError.Malformed,
            $"line {line}: the {format} file is not valid {name} text{hex}. Re-save it as UTF-8, or give the encoding it was " +
            "written in with --encoding (HTTP: encoding=), e.g. --encoding windows-1252.");
    }

    /// <summary>The 1-based line holding the first bytes that are not valid in <paramref name="encoding"/>, and those bytes.</summary>
    public static (long Line, byte[] Bytes)? FirstUndecodableLine(string path, Encoding encoding)
    {
        var decoder = encoding.GetDecoder();
        var bytes = new byte[1 << 16];
        var chars = new char[encoding.GetMaxCharCount(bytes.Length) + 2];
        long line = 1;
        using var stream = File.OpenRead(path);
        try
        {
            // One decoder over the whole file, fed a line at a time ('\n' is one byte in UTF-8 and the code pages).
            for (int read; (read = stream.Read(bytes)) > 0;)
            {
                var start = 0;
                for (int end; (end = Array.IndexOf(bytes, (byte)'\n', start, read - start)) >= 0; start = end + 1, line++)
                    decoder.GetChars(bytes, start, end + 1 - start, chars, 0, flush: false);
                decoder.GetChars(bytes, start, read - start, chars, 0, flush: false);
            }
            decoder.GetChars(bytes, 0, 0, chars, 0, flush: true);
        }
        catch (DecoderFallbackException e)
        {
            return (line, e.BytesUnknown ?? []);
        }
        return null;
    }
}
