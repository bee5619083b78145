namespace SpatialReadiness.Viewer.Tests;

/// <summary>Colours of styles/ as they come out on the map (over the plain background), as tests of r, g, b.</summary>
public static class Pixels
{
    /// <summary>styles/slum.json: #e0702f at 40 % over the land tint.</summary>
    public const string SlumFill = "r >= 200 && r - g >= 25 && r - g <= 80 && g - b >= 8 && g - b <= 50";

    /// <summary>styles/ward.json: the #2f5d9e outline.</summary>
    public const string WardOutline = "b - r >= 80 && b >= 120 && r <= 90 && g <= 130";

    /// <summary>styles/ward.json: the #1d3a63 ward numbers (darker and greener than the #2f5d9e outline).</summary>
    public const string WardLabel = "r <= 50 && g >= 40 && g <= 80 && b >= 75 && b <= 125 && b - r >= 45";

    /// <summary>The ward outline with the layer at half opacity.</summary>
    public const string WardOutlineHalf = "b - r >= 40 && b - g >= 20 && r >= 100 && r <= 170";

    /// <summary>The magenta tiles the basemap test serves (under the boundary's land tint, too).</summary>
    public const string TestBasemap = "r >= 230 && b >= 230 && g <= 160";

    /// <summary>The viewer's highlight of a chosen feature: #00e5ff.</summary>
    public const string Highlight = "r <= 80 && g >= 190 && b >= 220";

    /// <summary>styles/findings.json: error red, warning orange, gate dark red (not the wards' blue, not the background).</summary>
    public const string Finding = "r >= 110 && r - b >= 90 && g <= 180";
}
