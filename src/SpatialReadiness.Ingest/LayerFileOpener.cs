using System.Text;
using SpatialReadiness.Ingest.Archives;
using SpatialReadiness.Ingest.Formats;

namespace SpatialReadiness.Ingest;

/// <summary>Recognises a file's format by its name, then by its first bytes, and opens the matching reader.</summary>
internal static class LayerFileOpener
{
    public const string SupportedFormats =
        "GeoJSON (.geojson, .json, .geojsonl), zipped Shapefile (.zip with .shp/.shx/.dbf), GeoPackage (.gpkg), KML (.kml, .kmz), " +
        "CSV with lon/lat columns (.csv), and through GDAL's ogr2ogr: " + OgrFormats.Extensions;

    public static LayerFile Open(string path, string fileName, IngestOptions options)
    {
        if (options.Crs is { Length: > 0 } crs) Crs.CrsRegistry.Parse(crs); // a CRS that cannot be read is refused before any byte is written
        var readerOptions = new ReaderOptions(Encoding(options.Encoding), options.MaxVerticesPerFeature, options.Sublayer);
        string? workDirectory = null;
        try
        {
            var reader = OpenReader(path, fileName, options, readerOptions, ref workDirectory);
            return new LayerFile(reader, options, workDirectory);
        }
        catch
        {
            if (workDirectory is not null) Directory.Delete(workDirectory, recursive: true);
            throw;
        }
    }

    private static ILayerFileReader OpenReader(string path, string fileName, IngestOptions options, ReaderOptions readerOptions, ref string? workDirectory)
    {
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        var kind = extension switch
        {
            ".geojson" or ".json" or ".geojsonl" or ".geojsons" or ".geojsonseq" or ".ndjson" or ".jsonl" => ".geojson",
            ".zip" or ".kmz" => ".zip",
            ".shp" or ".gpkg" or ".kml" or ".csv" => extension,
            _ when OgrFormats.Handles(extension) => ".ogr",
            _ => Sniff(path) ?? throw new InputException(InputError.UnsupportedFormat,
                $"'{fileName}' is not a format this server reads. Supported: {SupportedFormats}."),
        };
        switch (kind)
        {
            case ".geojson": return new GeoJsonReader(path, readerOptions);
            case ".shp": return new ShapefileReader(path, readerOptions);
            case ".gpkg": return new GeoPackageReader(path, readerOptions);
            case ".kml": return new KmlReader(path, readerOptions);
            case ".csv": return new CsvReader(path, readerOptions);
            case ".ogr": return OgrFormats.Convert(path, fileName, workDirectory = NewWorkDirectory(), readerOptions);
        }
        workDirectory = NewWorkDirectory();
        var files = SafeZip.Extract(path, workDirectory, options.MaxUnpackedBytes);
        return OpenFromZip(files, fileName, options, readerOptions);
    }

    private static ILayerFileReader OpenFromZip(IReadOnlyList<string> files, string zipName, IngestOptions options, ReaderOptions readerOptions)
    {
        var shapefiles = files.Where(f => Path.GetExtension(f).Equals(".shp", StringComparison.OrdinalIgnoreCase)).ToList();
        if (options.Sublayer is { } wanted)
            shapefiles = shapefiles.Where(f => Path.GetFileNameWithoutExtension(f).Equals(wanted, StringComparison.OrdinalIgnoreCase)).ToList();
        if (shapefiles.Count == 1) return new ShapefileReader(shapefiles[0], readerOptions);
        if (shapefiles.Count > 1)
            throw new InputException(InputError.Malformed,
                $"'{zipName}' holds {shapefiles.Count} Shapefiles ({string.Join(", ", shapefiles.Select(Path.GetFileNameWithoutExtension))}); choose one with --sublayer NAME (HTTP: sublayer=NAME).");
        var others = files.Where(f => Path.GetExtension(f).ToLowerInvariant() is ".kml" or ".geojson" or ".json" or ".gpkg" or ".csv").ToList();
        if (others.Count == 1) return OpenReaderForExtracted(others[0], readerOptions);
        var names = string.Join(", ", files.Select(Path.GetFileName).Take(10));
        var hasShx = files.Any(f => Path.GetExtension(f).Equals(".shx", StringComparison.OrdinalIgnoreCase));
        throw new InputException(InputError.Malformed, hasShx
            ? $"'{zipName}' has no .shp file (it holds: {names}); a zipped Shapefile needs the .shp, .shx and .dbf of one layer."
            : $"'{zipName}' holds no Shapefile (.shp with .shx and .dbf) and no single KML/GeoJSON/GeoPackage/CSV file (it holds: {names}).");
    }

    private static ILayerFileReader OpenReaderForExtracted(string path, ReaderOptions readerOptions) =>
        Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".kml" => new KmlReader(path, readerOptions),
            ".gpkg" => new GeoPackageReader(path, readerOptions),
            ".csv" => new CsvReader(path, readerOptions),
            _ => new GeoJsonReader(path, readerOptions),
        };

    /// <summary>For files named without a known extension: look at the first bytes.</summary>
    private static string? Sniff(string path)
    {
        Span<byte> head = stackalloc byte[512];
        int read;
        using (var file = File.OpenRead(path)) read = file.Read(head);
        head = head[..read];
        if (head.StartsWith("PK\u0003\u0004"u8)) return ".zip";
        if (head.StartsWith("SQLite format 3\0"u8)) return ".gpkg";
        var text = System.Text.Encoding.UTF8.GetString(head).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        if (text.StartsWith('{')) return ".geojson";
        if (text.StartsWith('<') && text.Contains("<kml", StringComparison.OrdinalIgnoreCase)) return ".kml";
        return null;
    }

    private static Encoding? Encoding(string? name) =>
        name is null ? null : TextEncodings.ByName(name) ?? throw new InputException(InputError.Unprocessable,
            $"unknown text encoding '{name}'; use a name such as utf-8, windows-1252 or iso-8859-1.");

    private static string NewWorkDirectory() =>
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "srd-import-" + Guid.NewGuid().ToString("N"))).FullName;
}
