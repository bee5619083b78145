using System.Globalization;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;
using SpatialReadiness.Ingest.Crs;

namespace SpatialReadiness.Ingest;

/// <summary>
/// Rebuilds a geometry as 2D lon/lat in EPSG:4326: optional x/y swap, reprojection, Z and M dropped. Coordinates that
/// are not a position on Earth are refused with a hint naming the CRS that would put them in India.
/// </summary>
internal sealed class ToWgs84(Reprojection reprojection, bool swapXY) : GeometryTransformer
{
    private static readonly GeometryFactory Wgs84Factory = new(new PrecisionModel(), 4326);
    private long _ordinal;

    public Geometry Apply(Geometry geometry, long ordinal)
    {
        _ordinal = ordinal;
        var result = Transform(geometry);
        result.SRID = 4326;
        return result;
    }

    protected override CoordinateSequence TransformCoordinates(CoordinateSequence coords, Geometry parent)
    {
        var output = Wgs84Factory.CoordinateSequenceFactory.Create(coords.Count, 2, 0);
        for (var i = 0; i < coords.Count; i++)
        {
            var (x, y) = swapXY ? (coords.GetY(i), coords.GetX(i)) : (coords.GetX(i), coords.GetY(i));
            if (reprojection.Source.IsGeographic && (x is < -180 or > 180 || y is < -90 or > 90 || !double.IsFinite(x) || !double.IsFinite(y)))
                throw OutOfRange(x, y, $"is not a longitude/latitude in {reprojection.Source} (longitude must be within ±180, latitude within ±90)");
            var (lon, lat) = reprojection.ToLonLat(x, y);
            if (!double.IsFinite(lon) || !double.IsFinite(lat) || lon is < -180 or > 180 || lat is < -90 or > 90)
                throw OutOfRange(x, y, $"cannot be a position on Earth in {reprojection.Source}");
            output.SetX(i, lon);
            output.SetY(i, lat);
        }
        return output;
    }

    private InputException OutOfRange(double x, double y, string problem) =>
        new(InputError.Unprocessable,
            string.Create(CultureInfo.InvariantCulture, $"feature {_ordinal}: coordinate ({x}, {y}) {problem}. ") +
            CrsHints.Suggest(x, y, reprojection.Source));
}
