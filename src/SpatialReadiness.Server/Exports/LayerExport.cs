using SpatialReadiness.Server.Resilience;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Ingest;
using SpatialReadiness.PostGis.Features;
using SpatialReadiness.Server.GeoJson;

namespace SpatialReadiness.Server.Exports;

/// <summary>
/// A layer as a download: GeoJSON and CSV stream straight from PostGIS, one feature at a time; Shapefile (zipped) and
/// GeoPackage are made by GDAL's ogr2ogr from that same GeoJSON stream in a temporary directory, then streamed and
/// deleted. Withheld fields (LayerInfo.WithheldFields) are never written; the caller refuses withheld layers.
/// </summary>
public sealed class LayerExport(FeatureReader reader)
{
    public static readonly IReadOnlyDictionary<string, (string ContentType, string Extension)> Formats = new Dictionary<string, (string, string)>
    {
        ["geojson"] = ("application/geo+json", "geojson"),
        ["csv"] = ("text/csv; charset=utf-8", "csv"),
        ["shp"] = ("application/zip", "shp.zip"),
        ["gpkg"] = ("application/geopackage+sqlite3", "gpkg"),
    };

    public async Task WriteAsync(LayerInfo layer, string format, HttpResponse response, bool anonymous, CancellationToken cancellationToken)
    {
        var (contentType, extension) = Formats[format];
        // Taken before anything is read or written: over the bound the answer is 503 at once, not after the layer is read.
        using var gdal = format is "shp" or "gpkg" ? Ogr2Ogr.Reserve(anonymous) : null;
        response.ContentType = contentType;
        response.Headers.ContentDisposition = $"attachment; filename=\"{layer.City}-{layer.Name}.{extension}\"";
        switch (format)
        {
            case "geojson": await GeoJsonAsync(layer, response.Body, cancellationToken); break;
            case "csv": await CsvAsync(layer, response.Body, cancellationToken); break;
            default: await ViaGdalAsync(layer, format, response.Body, gdal!, cancellationToken); break;
        }
    }

    private Task<IAsyncEnumerable<FeatureRow>> Rows(LayerInfo layer, GeometryOutput geometry, CancellationToken cancellationToken) =>
        reader.ReadAsync(new FeatureQuery([FeatureSource.AsIs(layer)]) { Geometry = geometry }, cancellationToken).StartAsync(cancellationToken);

    private async Task GeoJsonAsync(LayerInfo layer, Stream body, CancellationToken cancellationToken)
    {
        var rows = await Rows(layer, GeometryOutput.GeoJson, cancellationToken);
        await using var writer = FeatureCollectionWriter.Start(body, json => json.WriteString("name", layer.Name));
        await foreach (var row in rows)
            await writer.WriteAsync(row, cancellationToken);
        await writer.EndAsync(null, cancellationToken);
    }

    /// <summary>id, each public field, then the geometry as WKT: what a spreadsheet opens.</summary>
    private async Task CsvAsync(LayerInfo layer, Stream body, CancellationToken cancellationToken)
    {
        var rows = await Rows(layer, GeometryOutput.Wkt, cancellationToken);
        await using var writer = new StreamWriter(body, new UTF8Encoding(false), 1 << 16) { NewLine = "\r\n" };
        var fields = layer.PublicFields;
        await writer.WriteLineAsync(string.Join(',', fields.Prepend("id").Append("wkt").Select(Quote)));
        await foreach (var row in rows)
        {
            using var properties = JsonDocument.Parse(row.PropertiesJson);
            var values = fields.Select(f => properties.RootElement.TryGetProperty(f, out var v) ? Text(v) : "");
            await writer.WriteLineAsync(string.Join(',', values.Prepend(row.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(row.Wkt is null ? "" : Encoding.UTF8.GetString(row.Wkt)).Select(Quote)));
        }
    }

    private async Task ViaGdalAsync(LayerInfo layer, string format, Stream body, IDisposable gdal, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "srd-export-" + Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            var source = Path.Combine(directory, layer.Name + ".geojson");
            await using (var file = File.Create(source)) await GeoJsonAsync(layer, file, cancellationToken);
            var output = Path.Combine(directory, "out");
            Directory.CreateDirectory(output);
            var target = format == "gpkg" ? Path.Combine(output, layer.Name + ".gpkg") : Path.Combine(output, layer.Name + ".shp");
            string[] arguments = format == "gpkg"
                ? ["-f", "GPKG", target, source, "-nln", Ogr2Ogr.Value(layer.Name, "layer name")]
                : ["-f", "ESRI Shapefile", target, source, "-nlt", "PROMOTE_TO_MULTI", "-lco", "ENCODING=UTF-8"];
            await Ogr2Ogr.RunAsync(arguments, "Shapefile and GeoPackage downloads need GDAL: install gdal-bin (tools/setup does).",
                $"GDAL could not write this layer as {(format == "gpkg" ? "GeoPackage" : "Shapefile")}", gdal, cancellationToken);
            if (format == "gpkg")
            {
                await using var gpkg = File.OpenRead(target);
                await gpkg.CopyToAsync(body, cancellationToken);
            }
            else
            {
                var zip = Path.Combine(directory, "shp.zip");
                ZipFile.CreateFromDirectory(output, zip);
                await using var archive = File.OpenRead(zip);
                await archive.CopyToAsync(body, cancellationToken);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => "",
        JsonValueKind.String => value.GetString()!,
        _ => value.GetRawText(),
    };

    private static string Quote(string value) =>
        value.IndexOfAny([',', '"', '\r', '\n']) < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";
}
