using System.Text;

namespace SpatialReadiness.Ingest.Formats;

/// <param name="Encoding">Text encoding the user gave; null means the file's own (.cpg, DBF code page) or strict UTF-8.</param>
/// <param name="MaxVerticesPerFeature">A feature with more vertices is refused (a 5-million-vertex polygon is a mistake).</param>
/// <param name="Sublayer">Which layer of a file that holds several (GeoPackage table, Shapefile in a zip) to read.</param>
internal sealed record ReaderOptions(
    Encoding? Encoding = null,
    long MaxVerticesPerFeature = 1_000_000,
    string? Sublayer = null)
{
    /// <summary>The largest single JSON value (one feature) held in memory at once.</summary>
    public long MaxJsonValueBytes => Math.Max(64L << 20, MaxVerticesPerFeature * 64);
}
