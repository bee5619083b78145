using System.Globalization;

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
        if (!TryNumber(z, out int zoom) || !TryNumber(x, out int column) || !TryNumber(y, out int row))
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

    /// <summary>
    /// A whole number written the one way it is written in tile URLs: digits, no sign, space or leading zero. Each tile
    /// then has one address, so a cache in front (nginx) keeps one copy of it and cannot be filled with spellings of the
    /// same tile (01, +1, %201).
    /// </summary>
    public static bool TryNumber(string text, out int value)
    {
        value = 0;
        return IsCanonical(text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <inheritdoc cref="TryNumber(string, out int)"/>
    public static bool TryNumber(string text, out long value)
    {
        value = 0;
        return IsCanonical(text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static bool IsCanonical(string text) => text.Length > 0 && text.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0 && (text.Length == 1 || text[0] != '0');
}
