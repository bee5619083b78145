namespace SpatialReadiness.Ingest;

/// <summary>How to read one uploaded file. Limits protect the server; defaults suit city layers.</summary>
/// <param name="Crs">The CRS to read coordinates in, overriding what the file declares ("EPSG:32643" or WKT).</param>
/// <param name="Encoding">Text encoding of attributes (Shapefile DBF, CSV), overriding the file's own.</param>
/// <param name="SwapXY">Read the first coordinate as latitude (files written lat/lon).</param>
/// <param name="Sublayer">Which layer of a multi-layer file (GeoPackage table, Shapefile in a zip) to import.</param>
public sealed record IngestOptions(
    string? Crs = null,
    string? Encoding = null,
    bool SwapXY = false,
    string? Sublayer = null,
    long MaxVerticesPerFeature = 1_000_000,
    long MaxUnpackedBytes = 2L << 30);
