namespace SpatialReadiness.Server.Fonts;

/// <summary>
/// A signed distance field from an antialiased coverage bitmap, in the encoding MapLibre's text shader reads: a byte
/// per pixel, 255 − 255·(d / <see cref="Radius"/> + <see cref="Cutoff"/>) for a signed distance d in pixels (negative
/// inside the glyph), so the outline sits at 191 and the field fades over 8 pixels each way. Distances are exact
/// Euclidean ones (Felzenszwalb and Huttenlocher's two-pass transform), with edge pixels placed by their coverage.
/// </summary>
public static class SignedDistanceField
{
    public const double Radius = 8;
    public const double Cutoff = 0.25;
    private const double Far = 1e20;

    /// <summary>The field of <paramref name="coverage"/> (0..255, width × height, row by row).</summary>
    public static byte[] FromCoverage(ReadOnlySpan<byte> coverage, int width, int height)
    {
        var n = width * height;
        var outside = new double[n]; // squared distance to the glyph, from a pixel outside it
        var inside = new double[n];  // squared distance to the background, from a pixel inside
        for (var i = 0; i < n; i++)
        {
            var a = coverage[i] / 255.0;
            if (a >= 1) { outside[i] = 0; inside[i] = Far; }
            else if (a <= 0) { outside[i] = Far; inside[i] = 0; }
            else
            {
                // A partly covered pixel: its edge is (0.5 − a) pixels off its centre.
                var d = 0.5 - a;
                outside[i] = d > 0 ? d * d : 0;
                inside[i] = d < 0 ? d * d : 0;
            }
        }
        Transform(outside, width, height);
        Transform(inside, width, height);
        var field = new byte[n];
        for (var i = 0; i < n; i++)
        {
            var d = Math.Sqrt(outside[i]) - Math.Sqrt(inside[i]);
            field[i] = (byte)Math.Clamp(Math.Round(255 - 255 * (d / Radius + Cutoff)), 0, 255);
        }
        return field;
    }

    /// <summary>Squared distances in place: each column, then each row, as a lower envelope of parabolas.</summary>
    private static void Transform(double[] grid, int width, int height)
    {
        var length = Math.Max(width, height);
        var f = new double[length];
        var v = new int[length];
        var z = new double[length + 1];
        for (var x = 0; x < width; x++) Transform1D(grid, x, width, height, f, v, z);
        for (var y = 0; y < height; y++) Transform1D(grid, y * width, 1, width, f, v, z);
    }

    /// <summary>Where the parabolas rooted at q and r cross.</summary>
    private static double Intersection(double[] f, int q, int r) => (f[q] + (double)q * q - (f[r] + (double)r * r)) / (2.0 * (q - r));

    private static void Transform1D(double[] grid, int offset, int stride, int length, double[] f, int[] v, double[] z)
    {
        for (var q = 0; q < length; q++) f[q] = grid[offset + q * stride];
        var k = 0;
        v[0] = 0;
        z[0] = double.NegativeInfinity;
        z[1] = double.PositiveInfinity;
        for (var q = 1; q < length; q++)
        {
            // z[0] is −∞ and the values are finite, so k never drops below 0.
            var s = Intersection(f, q, v[k]);
            while (s <= z[k]) s = Intersection(f, q, v[--k]);
            k++;
            v[k] = q;
            z[k] = s;
            z[k + 1] = double.PositiveInfinity;
        }
        k = 0;
        for (var q = 0; q < length; q++)
        {
            while (z[k + 1] < q) k++;
            var r = v[k];
            grid[offset + q * stride] = f[r] + (double)(q - r) * (q - r);
        }
    }
}
