using System.Globalization;
using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.Ingest.Crs;

/// <summary>
/// When coordinates do not land in India, tries the other readings that real Indian files need (swapped lat/lon, and
/// each supported CRS) and names the ones that would put the point inside India, with the position they give.
/// </summary>
internal static class CrsHints
{
    public static string Suggest(double x, double y, CrsDefinition current)
    {
        var readings = new List<string>();
        if (current.IsGeographic && IndiaExtent.Contains(y, x))
            readings.Add($"longitude and latitude look swapped: read as lat/lon the point is {Format(y, x)}; re-import with --swap-xy (HTTP: swapXY=true)");
        foreach (var code in CrsRegistry.SupportedCodes)
        {
            var candidate = CrsRegistry.FromEpsg(code);
            if (ReferenceEquals(candidate, current)) continue;
            double lon, lat;
            try { (lon, lat) = new Reprojection(candidate).ToLonLat(x, y); }
            catch (ArgumentException) { continue; }
            if (!double.IsFinite(lon) || !double.IsFinite(lat) || !IndiaExtent.Contains(lon, lat)) continue;
            var what = code == 3857 ? "web-mercator metres" : candidate.IsGeographic ? "lon/lat degrees" : "projected metres";
            readings.Add($"coordinates look like EPSG:{code} {what}: read as EPSG:{code} the point is {Format(lon, lat)}; re-import with --crs EPSG:{code} (HTTP: crs=EPSG:{code})");
        }
        return readings.Count switch
        {
            0 => "no supported CRS puts it inside India; check the file's CRS (supported: " + CrsRegistry.SupportedList + ").",
            1 => readings[0] + ".",
            _ => readings[0] + $". Other readings that also land in India: {string.Join("; ", readings.Skip(1).Select(r => r[..r.IndexOf(':')]))} — pick the CRS the data was made in.",
        };
    }

    public static string Format(double lon, double lat) =>
        string.Create(CultureInfo.InvariantCulture, $"{lon:0.000} E {lat:0.000} N");
}
