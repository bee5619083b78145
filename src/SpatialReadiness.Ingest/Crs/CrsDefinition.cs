using ProjNet.CoordinateSystems;

namespace SpatialReadiness.Ingest.Crs;

/// <summary>A coordinate reference system as received: a short label for provenance and the parsed system.</summary>
/// <param name="Label">"EPSG:32643" when the code is known, otherwise the WKT name.</param>
internal sealed record CrsDefinition(string Label, CoordinateSystem System)
{
    public bool IsGeographic => System is GeographicCoordinateSystem;

    public override string ToString() => Label;
}
