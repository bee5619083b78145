using SpatialReadiness.Core.Ingest;

namespace SpatialReadiness.Ingest.Formats;

/// <summary>
/// Formats the native readers do not cover go through GDAL's ogr2ogr (Debian gdal-bin): converted to GeoJSONSeq in
/// EPSG:4326 in a private folder, then read like any GeoJSON.
/// </summary>
internal static class OgrFormats
{
    public const string Extensions = ".gml, .gpx, .fgb, .tab, .mif, .dxf, .sqlite, .gmt, .ods, .xlsx";

    public static bool Handles(string extension) =>
        Extensions.Split(", ").Contains(extension, StringComparer.OrdinalIgnoreCase);

    public static ILayerFileReader Convert(string path, string fileName, string workDirectory, ReaderOptions options)
    {
        var output = Path.Combine(workDirectory, "converted.geojsonl");
        var input = Path.Combine(workDirectory, "input" + Path.GetExtension(fileName));
        File.Copy(path, input);
        List<string> arguments = ["-f", "GeoJSONSeq", "-t_srs", "EPSG:4326", "-lco", "RS=NO", output, input];
        if (options.Sublayer is { } layer) arguments.Add(Ogr2Ogr.Value(layer, "sublayer"));
        // Synchronous like every reader's opening; ogr2ogr runs with the process-wide bounds (Ogr2Ogr.Limits).
        Ogr2Ogr.RunAsync(arguments,
            $"'{fileName}' needs GDAL's ogr2ogr, which is not installed on this server (apt-get install gdal-bin), " +
            "or convert it to GeoJSON, GeoPackage or a zipped Shapefile first.",
            $"GDAL could not read '{fileName}'").GetAwaiter().GetResult();
        return new GeoJsonReader(output, options) { ConvertedBy = "GDAL " + Path.GetExtension(fileName).TrimStart('.').ToUpperInvariant() };
    }
}
