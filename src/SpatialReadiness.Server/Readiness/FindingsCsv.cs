using System.Globalization;
using System.Text;
using SpatialReadiness.Core.Readiness;
using SpatialReadiness.PostGis.Readiness;

namespace SpatialReadiness.Server.Readiness;

/// <summary>
/// The findings of a run as CSV (RFC 4180, UTF-8 with a byte-order mark so Excel reads Devanagari): one row per
/// finding with its rule, severity, layer, feature, detail and the centroid of its location, for a city to sort,
/// filter and attach as evidence. The same query (rule, layer, severity, limit, offset) as the GeoJSON list.
/// </summary>
internal static class FindingsCsv
{
    public static async Task WriteAsync(HttpContext http, Findings findings, FindingQuery query, CancellationToken ct)
    {
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"findings-{query.RunId:N}.csv\"";
        await using var writer = new StreamWriter(http.Response.BodyWriter.AsStream(), new UTF8Encoding(true), 1 << 16);
        await writer.WriteAsync("rule,severity,layer,feature_id,feature,related_feature_id,detail,lon,lat\r\n");
        foreach (var f in await findings.ReadAsync(query, ct))
        {
            var centre = f.Location is { IsEmpty: false } location ? location.Centroid : null;
            await writer.WriteAsync(string.Join(',',
                Cell(f.Rule), Cell(f.Severity.ToName()), Cell(f.Layer), Cell(f.FeatureId?.ToString(CultureInfo.InvariantCulture)),
                Cell(f.FeatureLabel), Cell(f.RelatedFeatureId?.ToString(CultureInfo.InvariantCulture)), Cell(f.Detail),
                Cell(centre is null ? null : centre.X.ToString("0.000000", CultureInfo.InvariantCulture)),
                Cell(centre is null ? null : centre.Y.ToString("0.000000", CultureInfo.InvariantCulture))) + "\r\n");
        }
    }

    /// <summary>Quoted when it holds a comma, quote or line break; a leading = + - @ is prefixed with ' so a spreadsheet never runs it as a formula.</summary>
    private static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        if (value[0] is '=' or '+' or '@' or '\t' || (value[0] == '-' && !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            value = "'" + value;
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}
