using NetTopologySuite.IO.VectorTiles;
using NetTopologySuite.IO.VectorTiles.Mapbox;

namespace SpatialReadiness.Server.Tests.Infrastructure;

/// <summary>Decodes MVT with NetTopologySuite's independent reader (features back in lon/lat), and finds tiles.</summary>
public static class VectorTiles
{
    public static VectorTile Decode(byte[] mvt, int z, int x, int y)
    {
        using var stream = new MemoryStream(mvt);
        return new MapboxTileReader().Read(stream, new NetTopologySuite.IO.VectorTiles.Tiles.Tile(x, y, z), "id");
    }

    /// <summary>The XYZ tile holding a lon/lat point.</summary>
    public static (int Z, int X, int Y) TileOf(double lon, double lat, int z)
    {
        var n = 1 << z;
        var x = (int)Math.Floor((lon + 180) / 360 * n);
        var latRad = lat * Math.PI / 180;
        var y = (int)Math.Floor((1 - Math.Log(Math.Tan(latRad) + 1 / Math.Cos(latRad)) / Math.PI) / 2 * n);
        return (z, x, y);
    }
}
