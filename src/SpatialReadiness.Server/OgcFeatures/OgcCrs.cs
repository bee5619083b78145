using System.Globalization;
using System.Text.RegularExpressions;

namespace SpatialReadiness.Server.OgcFeatures;

/// <summary>
/// A CRS a client can ask for (crs, bbox-crs, filter-crs, Content-Crs) under OGC API - Features Part 2. Features are
/// stored in EPSG:4326 lon/lat, which is CRS84; EPSG:4326 itself is latitude first, as its definition says.
/// </summary>
public sealed partial record OgcCrs(string Uri, int Srid, bool LatitudeFirst)
{
    public const string Conformance = "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs";

    public static readonly OgcCrs Crs84 = new("http://www.opengis.net/def/crs/OGC/1.3/CRS84", 4326, false);

    /// <summary>CRS84, WGS 84 (lat/lon), web mercator, and UTM 43N-45N, the zones Indian cities lie in.</summary>
    public static readonly IReadOnlyList<OgcCrs> Supported =
    [
        Crs84,
        Epsg(4326, latitudeFirst: true),
        Epsg(3857),
        Epsg(32643),
        Epsg(32644),
        Epsg(32645),
    ];

    private static OgcCrs Epsg(int code, bool latitudeFirst = false) =>
        new($"http://www.opengis.net/def/crs/EPSG/0/{code.ToString(CultureInfo.InvariantCulture)}", code, latitudeFirst);

    /// <summary>Reads a CRS URI, "EPSG:32643", "[EPSG:32643]", "urn:ogc:def:crs:EPSG::32643" or "CRS84"; null when not supported.</summary>
    public static OgcCrs? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var value = text.Trim().Trim('[', ']', '<', '>');
        if (value.EndsWith("CRS84", StringComparison.OrdinalIgnoreCase)) return Crs84;
        var code = EpsgCode().Match(value);
        return code.Success && int.TryParse(code.Groups[1].Value, CultureInfo.InvariantCulture, out var srid)
            ? Supported.FirstOrDefault(c => c.Srid == srid && c != Crs84)
            : null;
    }

    public static string SupportedList => string.Join(", ", Supported.Select(c => c.Uri));

    /// <summary>The header form: Content-Crs: &lt;uri&gt;.</summary>
    public string Header => $"<{Uri}>";

    [GeneratedRegex(@"^(?:EPSG:{1,2}|urn:ogc:def:crs:EPSG:[\d.]*:|https?://www\.opengis\.net/def/crs/EPSG/[\d.]+/)(\d+)$", RegexOptions.IgnoreCase)]
    private static partial Regex EpsgCode();
}
