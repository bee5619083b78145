using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;

namespace SpatialReadiness.Cli.Demo;

/// <summary>
/// The synthetic city's building footprints: a street grid (turned 12° off north) of blocks of 4 x 2 lots, one building
/// per lot set back from its edges, shaped as a rectangle, a chamfered rectangle, an L, a T, a U, a stepped block or a
/// cross (4-12 vertices). The lot size shrinks with the count (25 m frontage down to 8 m) so a million buildings fill a
/// 300-ward city; lots crossing a ward edge or the city edge stay empty. Buildings are written ward by ward, in grid
/// order inside each ward, as real footprint files come. Deliberate defects by building number n = 1, 2, ...:
///   n % 100 == 7   drawn again 1.2 m off building n-1 under a new id (OVERLAP with n-1);
///   n % 100 == 13  building n-1 traced twice: same footprint, use and floors under a new id (DUPLICATE; also an OVERLAP);
///   n % 100 == 21  a bow-tie (GEOM_INVALID);
///   n % 100 == 34  in a lot outside the city (OUTSIDE_CITY);
///   n % 100 == 45  a wrong ward_no (WARD_MISMATCH).
/// Every other building lies inside the ward it names, more than 1.8 m from any other.
/// </summary>
internal static class SyntheticBuildings
{
    public const int OverlapAt = 7, DuplicateAt = 13, InvalidAt = 21, OutsideAt = 34, WrongWardAt = 45;

    private const double Turn = 12 * Math.PI / 180;
    private const double MaxFrontage = 25, MinFrontage = 8, Shift = 1.2;
    private static readonly string[] Uses = ["residential", "residential", "residential", "residential", "residential", "residential", "mixed", "commercial", "institutional", "industrial"];

    // Unit shapes, counter-clockwise, open (the first vertex is repeated when the ring is closed).
    private static readonly double[][] Shapes =
    [
        [0, 0, 1, 0, 1, 1, 0, 1],
        [0, 0, 1, 0, 1, 0.7, 0.7, 1, 0, 1],
        [0, 0, 1, 0, 1, 0.55, 0.5, 0.55, 0.5, 1, 0, 1],
        [0, 0, 1, 0, 1, 0.4, 0.7, 0.4, 0.7, 1, 0.3, 1, 0.3, 0.4, 0, 0.4],
        [0, 0, 1, 0, 1, 1, 0.7, 1, 0.7, 0.45, 0.3, 0.45, 0.3, 1, 0, 1],
        [0, 0, 1, 0, 1, 0.5, 0.9, 0.5, 0.9, 0.7, 0.75, 0.7, 0.75, 0.85, 0.6, 0.85, 0.6, 1, 0, 1],
        [0.3, 0, 0.7, 0, 0.7, 0.3, 1, 0.3, 1, 0.7, 0.7, 0.7, 0.7, 1, 0.3, 1, 0.3, 0.7, 0, 0.7, 0, 0.3, 0.3, 0.3],
    ];
    private static readonly double[] BowTie = [0, 0, 1, 1, 1, 0, 0, 1];

    /// <summary>How many of 1..count carry the defect at <paramref name="residue"/> (every 100th).</summary>
    public static int Defects(int count, int residue) => count < residue ? 0 : (count - residue) / 100 + 1;

    /// <summary>A lot: its south-west corner in the grid's metres, its size, and the ward it lies in (-1 outside the city).</summary>
    private readonly record struct Lot(double U, double V, double Frontage, double Depth, int Ward);

    private readonly record struct Building(Lot Lot, double Width, double Depth, int Shape, string Use, int Floors);

    public static IEnumerable<(Geometry, (string, object?)[])> Generate(int count, Geometry boundary, WardIndex wards, Random random)
    {
        var outside = Defects(count, OutsideAt);
        var inside = count - outside - Defects(count, OverlapAt) - Defects(count, DuplicateAt);
        var (insideLots, outsideLots) = Lots(inside, outside, boundary, wards);
        int nextInside = 0, nextOutside = 0;
        Building previous = default;
        for (var n = 1; n <= count; n++)
        {
            var (residue, wrongWard) = (n % 100, n % 100 == WrongWardAt);
            Building building;
            var (shiftU, shiftV) = (0.0, 0.0);
            if (residue == DuplicateAt) building = previous;
            else
            {
                var lot = residue == OverlapAt ? previous.Lot
                    : residue == OutsideAt ? outsideLots[(int)((long)nextOutside++ * outsideLots.Count / Math.Max(outside, 1))]
                    : insideLots[(int)((long)nextInside++ * insideLots.Count / inside)];
                var setback = Setback(lot.Frontage);
                building = new Building(lot, (lot.Frontage - 2 * setback) * (0.75 + 0.25 * random.NextDouble()),
                    (lot.Depth - 2 * setback) * (0.75 + 0.25 * random.NextDouble()), random.Next(Shapes.Length),
                    Uses[random.Next(Uses.Length)], 1 + random.Next(6));
                if (residue == OverlapAt) (shiftU, shiftV) = (Shift, Shift);
            }
            // A building outside the city names the ward of the one before it, as a surveyor's typo would.
            var ward = building.Lot.Ward >= 0 ? building.Lot.Ward : Math.Max(previous.Lot.Ward, 0);
            var wardNo = wrongWard ? (ward + wards.Count / 2) % wards.Count + 1 : ward + 1;
            var polygon = Footprint(building, residue == InvalidAt ? BowTie : Shapes[building.Shape], shiftU, shiftV);
            yield return (polygon, [("building_id", $"B-{n:0000000}"), ("ward_no", wardNo), ("use", building.Use), ("floors", building.Floors)]);
            if (residue != OverlapAt && residue != DuplicateAt) previous = building;
        }
    }

    private static double Setback(double frontage) => Math.Max(1.5, 0.12 * frontage);

    /// <summary>
    /// The lots of a street grid over the city, as few as fit <paramref name="inside"/> buildings (frontage from 25 m
    /// down): those wholly inside one ward, grouped by ward, and those wholly outside the city.
    /// </summary>
    private static (List<Lot> Inside, List<Lot> Outside) Lots(int inside, int outside, Geometry boundary, WardIndex wards)
    {
        var city = boundary.EnvelopeInternal;
        var (metresEast, metresNorth) = (111_320 * Math.Cos(SyntheticCity.CentreLat * Math.PI / 180), 110_574.0);
        var half = new[] { city.MinX, city.MaxX }.SelectMany(x => new[] { city.MinY, city.MaxY }, (x, y) =>
            Math.Sqrt(Math.Pow((x - SyntheticCity.CentreLon) * metresEast, 2) + Math.Pow((y - SyntheticCity.CentreLat) * metresNorth, 2))).Max();
        var areaM2 = city.Width * metresEast * city.Height * metresNorth;
        var near = city.Copy();
        near.ExpandBy(0.01);
        var frontage = Math.Clamp(Math.Sqrt(0.55 * areaM2 / Math.Max(inside, 1)), MinFrontage, MaxFrontage);
        var insideCity = PreparedGeometryFactory.Prepare(boundary);
        while (true)
        {
            var (depth, street) = (1.25 * frontage, 0.6 * frontage);
            var insideLots = new List<Lot>();
            var outsideLots = new List<Lot>();
            for (var v = -half; v < half; v += 2 * depth + street)
                for (var u = -half; u < half; u += 4 * frontage + street)
                    for (var row = 0; row < 2; row++)
                        for (var column = 0; column < 4; column++)
                        {
                            var (lotU, lotV) = (u + column * frontage, v + row * depth);
                            var shape = Polygon(lotU, lotV, [0, 0, frontage, 0, frontage, depth, 0, depth]);
                            if (!insideCity.Intersects(shape))
                            {
                                if (near.Contains(shape.EnvelopeInternal)) outsideLots.Add(new Lot(lotU, lotV, frontage, depth, -1));
                                continue;
                            }
                            var ward = wards.At(shape.Centroid.Coordinate);
                            if (ward >= 0 && wards.Contains(ward, shape) && wards.Touching(shape) is [_])
                                insideLots.Add(new Lot(lotU, lotV, frontage, depth, ward));
                        }
            if (insideLots.Count >= inside && outsideLots.Count >= Math.Min(outside, 1))
                return (insideLots.OrderBy(l => l.Ward).ToList(), outsideLots);
            if (frontage <= MinFrontage)
                throw new InvalidOperationException($"{inside:N0} buildings do not fit in the wards even on {MinFrontage} m lots: ask for fewer buildings or more wards.");
            frontage = Math.Max(MinFrontage, frontage * 0.9);
        }
    }

    private static Polygon Footprint(Building building, double[] shape, double shiftU, double shiftV)
    {
        var setback = Setback(building.Lot.Frontage);
        var scaled = new double[shape.Length];
        for (var k = 0; k < shape.Length; k += 2)
        {
            scaled[k] = setback + shiftU + shape[k] * building.Width;
            scaled[k + 1] = setback + shiftV + shape[k + 1] * building.Depth;
        }
        return Polygon(building.Lot.U, building.Lot.V, scaled);
    }

    /// <summary>A ring of grid-metre offsets from (u, v), turned onto the map and rounded to 6 decimals.</summary>
    private static Polygon Polygon(double u, double v, double[] offsets)
    {
        var ring = new Coordinate[offsets.Length / 2 + 1];
        for (var k = 0; k < offsets.Length; k += 2)
        {
            var (x, y) = (u + offsets[k], v + offsets[k + 1]);
            var east = x * Math.Cos(Turn) - y * Math.Sin(Turn);
            var north = x * Math.Sin(Turn) + y * Math.Cos(Turn);
            var c = DemoCity.Offset(SyntheticCity.CentreLon, SyntheticCity.CentreLat, east, north);
            ring[k / 2] = new Coordinate(Math.Round(c.X, 6), Math.Round(c.Y, 6));
        }
        ring[^1] = ring[0].Copy();
        return DemoCity.Factory.CreatePolygon(ring);
    }
}
