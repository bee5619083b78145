using System.Text;
using SpatialReadiness.Core.Ingest;

namespace SpatialReadiness.Ingest.Formats;

/// <param name="Encoding">Text encoding the user gave; null means the file's own (.cpg, DBF code page, XML declaration) or strict UTF-8.</param>
/// <param name="MaxVerticesPerFeature">A feature with more vertices is refused (a 5-million-vertex polygon is a mistake).</param>
/// <param name="Sublayer">Which layer of a file that holds several (GeoPackage table, Shapefile in a zip) to read.</param>
internal sealed record ReaderOptions(
    Encoding? Encoding = null,
    long MaxVerticesPerFeature = 1_000_000,
    string? Sublayer = null)
{
    /// <summary>The largest single JSON value (one feature) held in memory at once.</summary>
    public long MaxJsonValueBytes => Math.Max(64L << 20, MaxVerticesPerFeature * 64);

    /// <summary>The user's encoding, else UTF-8, throwing on bytes that are not valid text instead of inventing U+FFFD.</summary>
    public Encoding StrictEncoding() =>
        Encoding is null
            ? new UTF8Encoding(false, throwOnInvalidBytes: true)
            : Encoding.GetEncoding(Encoding.CodePage, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);

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
