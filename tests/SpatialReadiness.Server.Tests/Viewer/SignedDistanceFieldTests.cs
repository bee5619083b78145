using SpatialReadiness.Server.Fonts;

namespace SpatialReadiness.Server.Tests.Viewer;

/// <summary>
/// The glyph SDFs against shapes whose distances are known: discs of random centre and radius, antialiased by
/// supersampling as a rasterizer does. The field must give each pixel its true signed distance, in MapLibre's encoding.
/// </summary>
public sealed class SignedDistanceFieldTests
{
    private const int Size = 40;

    private static byte[] Disc(double cx, double cy, double r)
    {
        var coverage = new byte[Size * Size];
        for (var y = 0; y < Size; y++)
            for (var x = 0; x < Size; x++)
            {
                var inside = 0;
                for (var sy = 0; sy < 8; sy++)
                    for (var sx = 0; sx < 8; sx++)
                    {
                        double px = x + (sx + 0.5) / 8, py = y + (sy + 0.5) / 8;
                        if ((px - cx) * (px - cx) + (py - cy) * (py - cy) <= r * r) inside++;
                    }
                coverage[y * Size + x] = (byte)Math.Round(inside * 255.0 / 64);
            }
        return coverage;
    }

    [Fact]
    public void Each_pixel_holds_its_signed_distance_to_the_outline_within_six_tenths_of_a_pixel()
    {
        var random = new Random(15);
        for (var shape = 0; shape < 40; shape++)
        {
            double cx = 12 + random.NextDouble() * 16, cy = 12 + random.NextDouble() * 16, r = 2 + random.NextDouble() * 9;
            var field = SignedDistanceField.FromCoverage(Disc(cx, cy, r), Size, Size);
            for (var y = 0; y < Size; y++)
                for (var x = 0; x < Size; x++)
                {
                    // Distance from the pixel's centre to the circle: negative inside.
                    var d = Math.Sqrt((x + 0.5 - cx) * (x + 0.5 - cx) + (y + 0.5 - cy) * (y + 0.5 - cy)) - r;
                    var expected = Math.Clamp(255 - 255 * (d / SignedDistanceField.Radius + SignedDistanceField.Cutoff), 0, 255);
                    var error = Math.Abs(field[y * Size + x] - expected) / 255 * SignedDistanceField.Radius;
                    Assert.True(error <= 0.6, $"disc ({cx:0.00}, {cy:0.00}) r {r:0.00}, pixel ({x}, {y}): {field[y * Size + x]} encodes a distance {error:0.00} px off {d:0.00}");
                }
        }
    }

    [Fact]
    public void A_hard_edge_lies_at_191_halfway_between_the_pixels_either_side()
    {
        var coverage = new byte[Size * Size];
        for (var y = 0; y < Size; y++)
            for (var x = 0; x < 20; x++) coverage[y * Size + x] = 255; // the left half inked, no antialiasing
        var field = SignedDistanceField.FromCoverage(coverage, Size, Size);
        int inside = field[20 * Size + 19], outside = field[20 * Size + 20];
        Assert.True(inside > 191 && outside < 191, $"{inside} | {outside}");
        Assert.InRange(inside - 191 - (191 - outside), -1, 1);
        Assert.Equal(255, field[20 * Size + 5]);  // far inside: clamped
        Assert.Equal(0, field[20 * Size + 39]);  // far outside: clamped
        Assert.All(Enumerable.Range(0, Size - 1), x => Assert.True(field[20 * Size + x] >= field[20 * Size + x + 1])); // falls from ink to paper
    }
}
