using System.Text;
using NetTopologySuite.Features;
using NetTopologySuite.IO.Esri;
using NetTopologySuite.IO.Esri.Shapefiles.Readers;
using SpatialReadiness.Ingest.Crs;
using EsriShapefileReader = NetTopologySuite.IO.Esri.Shapefiles.Readers.ShapefileReader;

namespace SpatialReadiness.Ingest.Formats;

/// <summary>
/// An unpacked Shapefile (.shp + .shx + .dbf, optional .prj and .cpg). Text is decoded strictly in the encoding the
/// user gave, else the .cpg, else the DBF language driver, else UTF-8, so a wrong code page is an error, not mojibake.
/// </summary>
internal sealed class ShapefileReader : ILayerFileReader
{
    private readonly string _shpPath;
    private readonly EsriShapefileReader _reader;
    private readonly string _encodingName;

    public ShapefileReader(string shpPath, ReaderOptions options)
    {
        _shpPath = shpPath;
        foreach (var required in new[] { ".shx", ".dbf" })
            if (Sibling(required) is null)
                throw new InputException(InputError.Malformed,
                    $"the Shapefile '{Path.GetFileName(shpPath)}' has no {required} file beside it; a Shapefile needs .shp, .shx and .dbf (zip them together).");
        var encoding = Strict(options.Encoding ?? EncodingFromCpg() ?? EncodingFromDbfHeader() ?? Encoding.UTF8);
        _encodingName = encoding.WebName;
        try
        {
            _reader = Shapefile.OpenRead(shpPath, new ShapefileReaderOptions
            {
                Encoding = encoding,
                GeometryBuilderMode = GeometryBuilderMode.IgnoreInvalidShapes,
            });
        }
        catch (Exception e) when (e is ShapefileException or IOException or NotSupportedException or ArgumentException)
        {
            throw new InputException(InputError.Malformed, $"the Shapefile '{Path.GetFileName(shpPath)}' cannot be read: {e.Message}");
        }
        var prj = Sibling(".prj");
        DeclaredCrs = prj is null ? null : CrsRegistry.FromWkt(File.ReadAllText(prj));
        Fields = _reader.Fields.Select(f => f.Name).ToList();
    }

    public string Format => "Shapefile";
    public CrsDefinition? DeclaredCrs { get; }
    public IReadOnlyList<string> Fields { get; }
    public bool FieldsKnownBeforeReading => true;

    public IEnumerable<RawFeature> Read(CancellationToken cancellationToken)
    {
        var ordinal = 0L;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Feature? feature;
            bool deleted;
            ordinal++;
            try
            {
                if (!_reader.Read(out deleted, out feature)) yield break;
            }
            catch (DecoderFallbackException)
            {
                throw new InputException(InputError.Malformed,
                    $"record {ordinal}: attribute text is not valid {_encodingName}. Give the file's code page with --encoding " +
                    "(e.g. windows-1252) or add a .cpg file naming it, or re-save the DBF as UTF-8.");
            }
            catch (Exception e) when (e is ShapefileException or ArgumentException or IOException or InvalidOperationException or FormatException)
            {
                throw new InputException(InputError.Malformed, $"record {ordinal} of '{Path.GetFileName(_shpPath)}' cannot be read: {e.Message}");
            }
            if (deleted) continue;
            var geometry = feature.Geometry is { IsEmpty: true } ? null : feature.Geometry;
            var attributes = feature.Attributes.GetNames().Select(n => new KeyValuePair<string, object?>(n, feature.Attributes[n]));
            yield return new RawFeature(ordinal, null, AttributeJson.Write(attributes), geometry);
        }
    }

    private string? Sibling(string extension)
    {
        var directory = Path.GetDirectoryName(_shpPath)!;
        var stem = Path.GetFileNameWithoutExtension(_shpPath);
        return Directory.EnumerateFiles(directory, stem + ".*")
            .FirstOrDefault(f => string.Equals(Path.GetExtension(f), extension, StringComparison.OrdinalIgnoreCase)
                && string.Equals(Path.GetFileNameWithoutExtension(f), stem, StringComparison.Ordinal));
    }

    private Encoding? EncodingFromCpg()
    {
        var cpg = Sibling(".cpg");
        if (cpg is null) return null;
        var name = File.ReadAllText(cpg).Trim();
        return TextEncodings.ByName(name) ?? throw new InputException(InputError.Unprocessable,
            $"the .cpg file names the code page '{name}', which is not known; give the encoding with --encoding (e.g. utf-8, windows-1252).");
    }

    /// <summary>Byte 29 of a DBF header is the language driver id (the code page before .cpg files existed).</summary>
    private Encoding? EncodingFromDbfHeader()
    {
        using var dbf = File.OpenRead(Sibling(".dbf")!);
        Span<byte> header = stackalloc byte[32];
        if (dbf.Read(header) < 32) return null;
        return header[29] switch
        {
            0x01 => TextEncodings.ByName("437"),
            0x02 => TextEncodings.ByName("850"),
            0x03 or 0x57 => TextEncodings.ByName("1252"),
            _ => null,
        };
    }

    private static Encoding Strict(Encoding encoding) =>
        Encoding.GetEncoding(encoding.CodePage, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);

    public void Dispose() => _reader.Dispose();
}
