namespace SpatialReadiness.Core.Layers;

/// <summary>
/// India's extent in lon/lat (mainland, islands and Ladakh), as the import gate and the DMAF 4.e check use it: 68.1–97.5 E, 6.5–37.1 N.
/// </summary>
public static class IndiaExtent
{
    public const double MinLon = 68.1, MaxLon = 97.5, MinLat = 6.5, MaxLat = 37.1;

    public static bool Contains(double lon, double lat) =>
        lon is >= MinLon and <= MaxLon && lat is >= MinLat and <= MaxLat;
}
