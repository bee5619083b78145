namespace SpatialReadiness.Core.Tiles;

/// <summary>A tile in the XYZ (Google / OSM) scheme on EPSG:3857.</summary>
public readonly record struct TileAddress(int Z, int X, int Y)
{
    public const int MaxZoom = 24;

    /// <summary>Parses z, x and "y" or "y.mvt"; null with a reason when they are not a tile.</summary>
    public static TileAddress? TryParse(string z, string x, string y, out string? problem)
    {
        problem = null;
        if (y.EndsWith(".mvt", StringComparison.Ordinal) || y.EndsWith(".pbf", StringComparison.Ordinal)) y = y[..^4];
        if (!int.TryParse(z, out var zoom) || !int.TryParse(x, out var column) || !int.TryParse(y, out var row))
        {
            problem = $"'{z}/{x}/{y}' is not a tile address: z, x and y must be whole numbers (/tiles/{{layer}}/{{z}}/{{x}}/{{y}}.mvt).";
            return null;
        }
        if (zoom is < 0 or > MaxZoom)
        {
            problem = $"zoom {zoom} is outside 0-{MaxZoom}.";
            return null;
        }
        var size = 1L << zoom;
        if (column < 0 || column >= size || row < 0 || row >= size)
        {
            problem = $"tile {zoom}/{column}/{row} does not exist: at zoom {zoom} x and y run from 0 to {size - 1}.";
            return null;
        }
        return new TileAddress(zoom, column, row);
    }

    public override string ToString() => $"{Z}/{X}/{Y}";
}
