using System.Text;

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
}
