using System.Diagnostics;
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
        var start = new ProcessStartInfo("ogr2ogr")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            ArgumentList = { "-f", "GeoJSONSeq", "-t_srs", "EPSG:4326", "-lco", "RS=NO", output, input },
        };
        if (options.Sublayer is { } layer) start.ArgumentList.Add(layer);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InputException(InputError.UnsupportedFormat,
                $"'{fileName}' needs GDAL's ogr2ogr, which is not installed on this server (apt-get install gdal-bin), " +
                "or convert it to GeoJSON, GeoPackage or a zipped Shapefile first.");
        }
        using (process)
        {
            var errors = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InputException(InputError.Malformed, $"GDAL could not read '{fileName}': {errors.Result.Trim()}");
        }
        return new GeoJsonReader(output, options) { ConvertedBy = "GDAL " + Path.GetExtension(fileName).TrimStart('.').ToUpperInvariant() };
    }
}
