using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using ProjNet.CoordinateSystems;

namespace SpatialReadiness.Ingest.Crs;

/// <summary>
/// The CRSs used for Indian city data that the server reprojects natively (ProjNet), from WKT kept in known-crs.wkt,
/// plus any WKT a .prj or GeoPackage carries. EPSG:4979 (WGS 84 3D) reads as EPSG:4326 with Z dropped.
/// </summary>
internal static partial class CrsRegistry
{
    private static readonly CoordinateSystemFactory Factory = new();
    private static readonly Dictionary<int, CrsDefinition> Known = LoadKnown();

    public static CrsDefinition Wgs84 => Known[4326];

    /// <summary>Codes that can be given as --crs / crs=, in the order hints try them.</summary>
    public static IReadOnlyList<int> SupportedCodes { get; } = [4326, 3857, 32643, 32644, 32645, 7755, 24378, 24379, 24380, 24381, 24382, 24383];

    public static string SupportedList => "EPSG:" + string.Join(", EPSG:", SupportedCodes) + ", EPSG:4979";

    public static CrsDefinition FromEpsg(int code)
    {
        if (code is 4979 or 4269 or 4258) code = 4326; // WGS 84 3D; NAD83/ETRS89 are WGS 84 within a metre in India
        return Known.TryGetValue(code, out var crs)
            ? crs
            : throw new InputException(InputError.Unprocessable,
                $"EPSG:{code} is not a CRS this server reprojects natively; supported: {SupportedList}. " +
                "Reproject the file to EPSG:4326 first (e.g. ogr2ogr -t_srs EPSG:4326).");
    }

    /// <summary>Parses "EPSG:32643", "32643", "urn:ogc:def:crs:EPSG::32643", "CRS84" or an OGC WKT string.</summary>
    public static CrsDefinition Parse(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Contains("CRS84", StringComparison.OrdinalIgnoreCase)) return Wgs84;
        var code = EpsgCode().Match(trimmed);
        if (code.Success && !trimmed.Contains('[')) return FromEpsg(int.Parse(code.Groups[1].Value, CultureInfo.InvariantCulture));
        if (trimmed.Contains('[')) return FromWkt(trimmed);
        throw new InputException(InputError.Unprocessable,
            $"CRS '{text}' is not understood; give an EPSG code such as EPSG:32643 (supported: {SupportedList}) or WKT.");
    }

    /// <summary>Parses WKT (from a .prj or GeoPackage). A WKT naming a known EPSG code uses that code's definition.</summary>
    public static CrsDefinition FromWkt(string wkt)
    {
        var authority = WktEpsgAuthority().Matches(wkt).LastOrDefault();
        if (authority is not null && int.TryParse(authority.Groups[1].Value, out var code) && Known.ContainsKey(code))
            return Known[code];
        CoordinateSystem system;
        try
        {
            system = (CoordinateSystem)Factory.CreateFromWkt(Lcc1SpAs2Sp.Rewrite(wkt));
        }
        catch (Exception e) when (e is ArgumentException or FormatException or NotSupportedException or InvalidCastException or NullReferenceException or InvalidOperationException)
        {
            throw new InputException(InputError.Unprocessable,
                $"the CRS definition (WKT) could not be read: {e.Message}. Give the CRS explicitly, e.g. --crs EPSG:32643.");
        }
        // ESRI .prj files name WGS 84 "GCS_WGS_1984" and so on: match known systems by name, alias, then parameters.
        var known = Known.Values.FirstOrDefault(k => SameName(k.System.Name, system.Name))
            ?? (EsriAliases.TryGetValue(Normalise(system.Name), out var alias) ? Known[alias] : null)
            ?? Known.Values.FirstOrDefault(k => k.System.EqualParams(system));
        if (known is not null) return known;
        var definition = new CrsDefinition(system.Name, system);
        try
        {
            _ = new Reprojection(definition);
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentException or InvalidOperationException)
        {
            throw new InputException(InputError.Unprocessable,
                $"the file's CRS '{system.Name}' cannot be reprojected here ({e.Message}); reproject the file to EPSG:4326 first, or give the CRS with --crs (supported: {SupportedList}).");
        }
        return definition;
    }

    private static readonly Dictionary<string, int> EsriAliases = new()
    {
        ["gcswgs1984"] = 4326,
        ["wgs1984webmercatorauxiliarysphere"] = 3857,
        ["wgs1984webmercator"] = 3857,
        ["wgs1984utmzone43n"] = 32643,
        ["wgs1984utmzone44n"] = 32644,
        ["wgs1984utmzone45n"] = 32645,
    };

    private static bool SameName(string a, string b) =>
        Normalise(a) == Normalise(b);

    private static string Normalise(string name) =>
        new(name.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

    private static Dictionary<int, CrsDefinition> LoadKnown()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("known-crs.wkt")
            ?? throw new InvalidOperationException("known-crs.wkt is not embedded");
        using var reader = new StreamReader(stream);
        var known = new Dictionary<int, CrsDefinition>();
        while (reader.ReadLine() is { } line)
        {
            if (line.StartsWith('#') || line.Length == 0) continue;
            var tab = line.IndexOf('\t');
            var label = line[..tab];
            var code = int.Parse(label["EPSG:".Length..], CultureInfo.InvariantCulture);
            // WKT1 cannot say "spherical Mercator on the WGS 84 datum" (PROJ adds an EXTENSION ProjNET ignores), so 3857
            // uses ProjNET's own Pseudo-Mercator definition.
            var system = code switch
            {
                4326 => GeographicCoordinateSystem.WGS84,
                3857 => ProjectedCoordinateSystem.WebMercator,
                _ => (CoordinateSystem)Factory.CreateFromWkt(Lcc1SpAs2Sp.Rewrite(line[(tab + 1)..])),
            };
            known[code] = new CrsDefinition(label, system);
        }
        return known;
    }

    [GeneratedRegex(@"(?:EPSG)?:{0,2}(\d{4,6})$", RegexOptions.IgnoreCase)]
    private static partial Regex EpsgCode();

    [GeneratedRegex(@"AUTHORITY\[""EPSG"",""?(\d+)""?\]", RegexOptions.IgnoreCase)]
    private static partial Regex WktEpsgAuthority();
}
