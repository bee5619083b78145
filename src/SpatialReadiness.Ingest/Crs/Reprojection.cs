using ProjNet.CoordinateSystems;
using ProjNet.CoordinateSystems.Transformations;

namespace SpatialReadiness.Ingest.Crs;

/// <summary>Transforms x/y in a source CRS to lon/lat in EPSG:4326 (identity when the source is WGS 84 already).</summary>
internal sealed class Reprojection
{
    private static readonly CoordinateTransformationFactory Factory = new();
    private readonly MathTransform? _transform;

    public Reprojection(CrsDefinition source)
    {
        Source = source;
        if (!ReferenceEquals(source, CrsRegistry.Wgs84))
            _transform = Factory.CreateFromCoordinateSystems(source.System, GeographicCoordinateSystem.WGS84).MathTransform;
    }

    public CrsDefinition Source { get; }

    public (double Lon, double Lat) ToLonLat(double x, double y)
    {
        if (_transform is null) return (x, y);
        _transform.Transform(ref x, ref y);
        return (x, y);
    }
}
