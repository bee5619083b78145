using System.Globalization;
using System.Text.RegularExpressions;

namespace SpatialReadiness.Ingest.Crs;

/// <summary>
/// ProjNET implements Lambert Conformal Conic only in its two-standard-parallel form, but the Kalianpur India zones
/// (EPSG:24378-24383) and many Indian .prj files use the one-parallel form with a scale factor. Both describe the same
/// cone: with n = sin(lat0), the scale k0 &lt; 1 at lat0 reaches exactly 1 on one parallel either side, and a 2SP
/// definition on those two parallels with lat0 as the latitude of false origin is the identical projection.
/// </summary>
internal static partial class Lcc1SpAs2Sp
{
    public static string Rewrite(string wkt)
    {
        if (!wkt.Contains("Lambert_Conformal_Conic_1SP", StringComparison.OrdinalIgnoreCase)) return wkt;
        var spheroid = Spheroid().Match(wkt);
        if (!spheroid.Success) return wkt;
        var inverseFlattening = Number(spheroid.Groups[2].Value);
        var lat0 = Parameter(wkt, "latitude_of_origin");
        var k0 = Parameter(wkt, "scale_factor");
        var (south, north) = StandardParallels(lat0, k0, inverseFlattening);
        var rewritten = Projection1Sp().Replace(wkt, "PROJECTION[\"Lambert_Conformal_Conic_2SP\"]");
        rewritten = ScaleFactor().Replace(rewritten, string.Create(CultureInfo.InvariantCulture,
            $"PARAMETER[\"standard_parallel_1\",{south:R}],PARAMETER[\"standard_parallel_2\",{north:R}]"));
        return rewritten;
    }

    /// <summary>The two latitudes (degrees) where the 1SP projection's scale is exactly 1.</summary>
    internal static (double South, double North) StandardParallels(double lat0Degrees, double k0, double inverseFlattening)
    {
        var f = 1 / inverseFlattening;
        var e = Math.Sqrt(2 * f - f * f);
        var phi0 = lat0Degrees * Math.PI / 180;
        var n = Math.Sin(phi0);
        double M(double phi) => Math.Cos(phi) / Math.Sqrt(1 - e * e * Math.Sin(phi) * Math.Sin(phi));
        double T(double phi) => Math.Tan(Math.PI / 4 - phi / 2) / Math.Pow((1 - e * Math.Sin(phi)) / (1 + e * Math.Sin(phi)), e / 2);
        double Scale(double phi) => k0 * M(phi0) / M(phi) * Math.Pow(T(phi) / T(phi0), n);
        if (Math.Abs(k0 - 1) < 1e-12) return (lat0Degrees - 1e-6, lat0Degrees + 1e-6);

        double Solve(double inside, double outside)
        {
            for (var i = 0; i < 200; i++)
            {
                var middle = (inside + outside) / 2;
                if (Scale(middle) < 1) inside = middle; else outside = middle;
            }
            return (inside + outside) / 2 * 180 / Math.PI;
        }
        var span = 30 * Math.PI / 180;
        return (Solve(phi0, Math.Max(phi0 - span, -Math.PI / 2 + 1e-9)), Solve(phi0, Math.Min(phi0 + span, Math.PI / 2 - 1e-9)));
    }

    private static double Parameter(string wkt, string name)
    {
        var match = Regex.Match(wkt, $"PARAMETER\\[\"{name}\",\\s*([-+0-9.eE]+)\\]", RegexOptions.IgnoreCase);
        return match.Success ? Number(match.Groups[1].Value) : throw new FormatException($"the WKT has no {name} parameter");
    }

    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"SPHEROID\[""[^""]*"",\s*([-+0-9.eE]+),\s*([-+0-9.eE]+)", RegexOptions.IgnoreCase)]
    private static partial Regex Spheroid();

    [GeneratedRegex(@"PROJECTION\[""Lambert_Conformal_Conic_1SP""(,\s*AUTHORITY\[[^\]]*\])?\]", RegexOptions.IgnoreCase)]
    private static partial Regex Projection1Sp();

    [GeneratedRegex(@"PARAMETER\[""scale_factor"",\s*[-+0-9.eE]+\]", RegexOptions.IgnoreCase)]
    private static partial Regex ScaleFactor();
}
