using System.Globalization;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks;

/// <summary>
/// The gates a layer passes before any rule scores it; a layer that fails one scores 0 with the reason:
/// GATE_EMPTY, no feature has a geometry; GATE_OUTSIDE_INDIA, most features lie outside India
/// (68.1–97.5 E, 6.5–37.1 N), with a hint when swapping latitude and longitude would put them inside. Imports apply
/// the same gate (with CRS hints for projected metres), so a stored layer fails it only when it came by another path.
/// </summary>
public static class LayerGates
{
    public const string Empty = "GATE_EMPTY";
    public const string OutsideIndia = "GATE_OUTSIDE_INDIA";

    private static readonly string Measure = string.Create(CultureInfo.InvariantCulture, $"""
        WITH c AS (
            SELECT ST_Centroid(ST_Envelope(f.geom)) AS p FROM features f
            WHERE f.layer_id = @layer AND f.geom IS NOT NULL AND NOT ST_IsEmpty(f.geom)
        )
        SELECT count(*),
               count(*) FILTER (WHERE ST_X(p) BETWEEN {IndiaExtent.MinLon} AND {IndiaExtent.MaxLon} AND ST_Y(p) BETWEEN {IndiaExtent.MinLat} AND {IndiaExtent.MaxLat}),
               count(*) FILTER (WHERE ST_Y(p) BETWEEN {IndiaExtent.MinLon} AND {IndiaExtent.MaxLon} AND ST_X(p) BETWEEN {IndiaExtent.MinLat} AND {IndiaExtent.MaxLat}),
               avg(ST_X(p)), avg(ST_Y(p))
        FROM c
        """);

    private const string Store = """
        SELECT NULL::bigint AS feature_id, NULL::bigint AS related_feature_id, @detail AS detail,
               NULL::geometry AS location, NULL::double precision AS measure
        """;

    /// <summary>Returns the failed gate's text, or null when the layer passes.</summary>
    public static async Task<string?> RunAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var row = (await context.Database.QueryAsync(Measure, context.Parameters(), cancellationToken))[0];
        var (withGeometry, inside, insideSwapped) = (Convert.ToInt64(row[0]), Convert.ToInt64(row[1]), Convert.ToInt64(row[2]));
        var (code, detail) = (withGeometry, inside) switch
        {
            (0, _) => (Empty, $"no feature of the layer has a geometry ({context.Layer.FeatureCount} features); the layer scores 0 until it has"),
            _ when inside * 2 < withGeometry => (OutsideIndia, OutsideIndiaText(withGeometry, inside, insideSwapped, (double)row[3]!, (double)row[4]!)),
            _ => (null, null),
        };
        if (code is null) return null;
        await context.StoreAsync(code, Severity.Gate, Store, context.Parameters(("detail", detail)), cancellationToken, FindingBasis.Geometry);
        return detail;
    }

    private static string OutsideIndiaText(long withGeometry, long inside, long insideSwapped, double meanX, double meanY)
    {
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{withGeometry - inside} of {withGeometry} features lie outside India (centre of the layer {meanX:0.000}, {meanY:0.000}); ");
        return text + (insideSwapped * 2 >= withGeometry
            ? string.Create(CultureInfo.InvariantCulture, $"latitude and longitude look swapped: read as lat/lon the centre is {meanY:0.000} E {meanX:0.000} N; re-import with --swap-xy (HTTP: swapXY=true)")
            : "check the file's CRS and re-import with --crs EPSG:N");
    }
}
