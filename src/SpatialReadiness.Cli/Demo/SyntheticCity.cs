using System.Globalization;
using System.Text;
using NetTopologySuite.Algorithm;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using NetTopologySuite.Index.Quadtree;
using NetTopologySuite.LinearReferencing;
using NetTopologySuite.Operation.Union;
using NetTopologySuite.Triangulate;

namespace SpatialReadiness.Cli.Demo;

/// <summary>
/// A large made-up city near 77.0 E, 23.0 N (Madhya Pradesh) for the readiness-check benchmark: wards of about 1 km²
/// (Voronoi cells of a jittered 1 km grid inside an irregular outline), small slums inside them and asset points
/// spread over the city, and building footprints in city blocks (SyntheticBuildings). Byte-identical on every run (fixed seed, invariant culture).
/// Deliberate defects, chosen by feature number so their counts are exact (n = 1, 2, ...):
///   wards:  2 pairs of neighbours where one reaches 3 m into the other (OVERLAP);
///   slums:  n % 100 == 5 a bow-tie (GEOM_INVALID), n % 100 == 10 half outside the boundary (OUTSIDE_CITY),
///           n % 50 == 15 across the edge of two wards (WARD_MISMATCH), n % 200 == 25 a wrong ward_no (WARD_MISMATCH);
///   assets: every (count / 100)th (at least every 10th) at 0,0, so 100 of them from 1,000 up (OUTSIDE_CITY),
///           n % 1000 == 100 lat/lon swapped (OUTSIDE_CITY), n % 1000 == 200 a wrong ward_no (WARD_MISMATCH),
///           n % 1000 == 300 written twice (DUPLICATE, ID_NOT_UNIQUE).
/// Everything else is clean: the wards tile the boundary, rings run counter-clockwise, every other slum lies inside the
/// ward it names and overlaps no other slum, every other asset lies inside the ward it names, more than 1 m from any
/// other, with 6 significant decimals.
/// </summary>
internal static class SyntheticCity
{
    public const string State = "Madhya Pradesh";

    internal const double CentreLon = 77.0, CentreLat = 23.0;
    private const double Step = 1_000;          // metres between ward sites: wards of about 1 km²
    private const double Aspect = 0.8;          // north-south over east-west extent of the outline
    private const int OutlineVertices = 36;
    private static readonly GeometryFactory Factory = DemoCity.Factory;
    private static readonly string[] Themes = ["school", "health", "toilet", "solid_waste", "streetlight", "water", "park", "bus_stop", "ward_office"];
    private static readonly string[] NamePrefixes =
    [
        "Ganesh", "Shivaji", "Azad", "Laxmi", "Gandhi", "Nehru", "Tilak", "Indira", "Ambedkar", "Subhash", "Rajiv",
        "Vivekanand", "Tagore", "Patel", "Bhoj", "Ahilya", "Shastri", "Kabir", "Tulsi", "Ashok", "Narmada", "Vindhya",
    ];
    private static readonly string[] NameSuffixes = ["Nagar", "Colony", "Ganj", "Pura", "Mohalla", "Chowk", "Tola", "Bagh", "Puram", "Basti"];

    public static IReadOnlyList<DemoLayer> Write(string directory, int wards, int slums, int assets, int buildings)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(wards, 10);
        var random = new Random(2300);
        var wardGeometries = Wards(wards, random);
        // The boundary is the union of the clean wards, so they tile it exactly on the 6-decimal grid.
        var boundary = CounterClockwise(CascadedPolygonUnion.Union(wardGeometries));
        var overlaps = AddOverlapDefects(wardGeometries);
        var index = new WardIndex(wardGeometries);
        var slumFeatures = Slums(slums, wardGeometries, boundary, index, random);

        DemoGeoJson.Write(Path.Combine(directory, "boundary.geojson"), [(boundary, [("name", "Synthetic city")])]);
        DemoGeoJson.Write(Path.Combine(directory, "wards.geojson"), wardGeometries.Select((w, i) => (w, WardAttributes(i, wards))).ToList());
        DemoGeoJson.Write(Path.Combine(directory, "slums.geojson"), slumFeatures);
        var rows = WriteAssets(Path.Combine(directory, "assets.csv"), assets, boundary.EnvelopeInternal, index, random);
        if (buildings > 0)
            DemoGeoJson.Write(Path.Combine(directory, "buildings.geojson"), SyntheticBuildings.Generate(buildings, boundary, index, new Random(2301)));
        List<DemoLayer> layers =
        [
            new("boundary.geojson", "boundary", "Synthetic city boundary", $"The union of the {wards} wards, about {Area(boundary):N0} km²."),
            new("wards.geojson", "ward", "Synthetic city wards",
                $"{wards} wards of about 1 km² tiling the boundary; defect: {string.Join(" and ", overlaps.Select(p => $"ward {p.Over + 1} reaches 3 m into ward {p.Under + 1}"))}."),
            new("slums.geojson", "slum", "Synthetic city slums",
                $"{slums} slum polygons (8-24 vertices, 2,000-40,000 m²); defects: {Every(slums, 100, 5)} bow-ties, {Every(slums, 100, 10)} half outside the boundary, " +
                $"{Every(slums, 50, 15)} across two wards, {Every(slums, 200, 25)} with a wrong ward_no."),
            new("assets.csv", "asset", "Synthetic city assets",
                $"{rows:N0} rows for {assets:N0} asset points; defects: {Every(assets, NullIslandEvery(assets), NullIslandEvery(assets) / 2)} at 0,0, " +
                $"{Every(assets, 1000, 100)} with lat/lon swapped, {Every(assets, 1000, 200)} with a wrong ward_no, {Every(assets, 1000, 300)} rows written twice."),
        ];
        if (buildings > 0)
            layers.Add(new("buildings.geojson", "building", "Synthetic city buildings",
                $"{buildings:N0} building footprints (4-12 vertices) in city blocks; defects: " +
                $"{SyntheticBuildings.Defects(buildings, SyntheticBuildings.OverlapAt)} drawn again 1.2 m off their neighbour, " +
                $"{SyntheticBuildings.Defects(buildings, SyntheticBuildings.DuplicateAt)} traced twice, {SyntheticBuildings.Defects(buildings, SyntheticBuildings.InvalidAt)} bow-ties, " +
                $"{SyntheticBuildings.Defects(buildings, SyntheticBuildings.OutsideAt)} outside the city, {SyntheticBuildings.Defects(buildings, SyntheticBuildings.WrongWardAt)} with a wrong ward_no."));
        return layers;
    }

    /// <summary>How many of 1..count have n % every == first (first &lt; every).</summary>
    private static int Every(int count, int every, int first) => count < first ? 0 : (count - first) / every + 1;

    private static int NullIslandEvery(int assets) => Math.Max(assets / 100, 10);

    private static double Area(Geometry geometry) =>
        geometry.Area * 111_320 * Math.Cos(CentreLat * Math.PI / 180) * 110_574 / 1e6;

    private static string Locality(int n) => $"{NamePrefixes[n % NamePrefixes.Length]} {NameSuffixes[n / NamePrefixes.Length % NameSuffixes.Length]}";

    private static (string, object?)[] WardAttributes(int index, int wards) =>
    [
        ("ward_no", index + 1),
        ("ward_name", $"Ward {index + 1} - {Locality(index)}"),
        ("zone", $"Zone {index * 10 / wards + 1}"),
    ];

    /// <summary>
    /// Voronoi cells of the <paramref name="count"/> sites of a jittered 1 km grid nearest the centre (relative to an
    /// irregular 36-gon), clipped to that 36-gon grown to leave half a step around them; numbered from the north-west.
    /// </summary>
    private static List<Geometry> Wards(int count, Random random)
    {
        var factors = Enumerable.Range(0, OutlineVertices).Select(_ => 0.8 + 0.4 * random.NextDouble()).ToArray();
        var unitArea = Aspect * Enumerable.Range(0, OutlineVertices)
            .Sum(k => 0.5 * factors[k] * factors[(k + 1) % OutlineVertices] * Math.Sin(2 * Math.PI / OutlineVertices));
        var radius = Math.Sqrt(count * Step * Step / unitArea);
        double Factor(double angle)
        {
            var t = (angle / (2 * Math.PI) * OutlineVertices + OutlineVertices) % OutlineVertices;
            var k = (int)t;
            return factors[k] + (factors[(k + 1) % OutlineVertices] - factors[k]) * (t - k);
        }

        var half = (int)Math.Ceiling(1.3 * radius / Step);
        var grid = new List<(int Row, int Column, double X, double Y, double Reach)>();
        for (var row = -half; row <= half; row++)
            for (var column = -half; column <= half; column++)
            {
                var x = (column + (random.NextDouble() - 0.5) * 0.6) * Step;
                var y = (row + (random.NextDouble() - 0.5) * 0.6) * Step;
                grid.Add((row, column, x, y, Math.Sqrt(x * x + y * y / (Aspect * Aspect)) / (radius * Factor(Math.Atan2(y / Aspect, x)))));
            }
        var sites = grid.OrderBy(s => s.Reach).Take(count).OrderByDescending(s => s.Row).ThenBy(s => s.Column).ToList();

        var outer = radius * sites.Max(s => s.Reach) + Step / 2;
        var ring = Enumerable.Range(0, OutlineVertices + 1).Select(k =>
        {
            var angle = 2 * Math.PI * (k % OutlineVertices) / OutlineVertices;
            return At(outer * factors[k % OutlineVertices] * Math.Cos(angle), outer * factors[k % OutlineVertices] * Aspect * Math.Sin(angle));
        }).ToArray();
        var outline = Factory.CreatePolygon(ring);

        var siteCoordinates = sites.Select(s => At(s.X, s.Y)).ToList();
        var envelope = outline.EnvelopeInternal.Copy();
        envelope.ExpandBy(0.05);
        var builder = new VoronoiDiagramBuilder { ClipEnvelope = envelope };
        builder.SetSites(siteCoordinates);
        var cells = builder.GetDiagram(Factory).Geometries.ToDictionary(c => (Coordinate)c.UserData);
        return siteCoordinates.Select(site => CounterClockwise(cells[site].Intersection(outline))).ToList();
    }

    /// <summary>Defect OVERLAP: in two pairs of neighbouring wards, one reaches 3 m into the other.</summary>
    private static List<(int Under, int Over)> AddOverlapDefects(List<Geometry> wards)
    {
        var pairs = new List<(int Under, int Over)>();
        foreach (var start in new[] { wards.Count / 4, 3 * wards.Count / 4 })
        {
            bool Free(int k) => pairs.All(p => p.Under != k && p.Over != k);
            var under = Enumerable.Range(start, wards.Count).Select(k => k % wards.Count).First(Free);
            var over = Enumerable.Range(0, wards.Count).Where(k => k != under && Free(k))
                .MaxBy(k => wards[under].EnvelopeInternal.Intersects(wards[k].EnvelopeInternal) ? wards[under].Intersection(wards[k]).Length : 0);
            wards[over] = CounterClockwise(wards[over].Union(wards[under].Intersection(wards[over].Buffer(3 / 111_000.0))).Buffer(0));
            pairs.Add((under, over));
        }
        return pairs;
    }

    private static List<(Geometry, (string, object?)[])> Slums(int count, List<Geometry> wards, Geometry boundary, WardIndex index, Random random)
    {
        var placed = new Quadtree<Geometry>();
        var insideCity = PreparedGeometryFactory.Prepare(boundary);
        var onCityEdge = AlongEdge(boundary, random);
        var slums = new List<(Geometry, (string, object?)[])>(count);
        var wardOfSlum = Enumerable.Range(0, count).Select(k => k % wards.Count).ToArray();
        random.Shuffle(wardOfSlum); // the same number of slums in every ward, and the defects spread over the city
        for (var n = 1; n <= count; n++)
        {
            var ward = wardOfSlum[n - 1];
            var area = 2_100 * Math.Pow(18, random.NextDouble());
            var bowTie = n % 100 == 5;
            var (polygon, wardIndex) = (n % 100, n % 50) switch
            {
                (10, _) => Place(onCityEdge, g => !insideCity.Contains(g) && index.Touching(g) is [var only] ? only : -1),
                (_, 15) => Place(AlongEdge(wards[ward], random),
                    g => insideCity.Contains(g) && index.Touching(g) is [var a, var b] && (a == ward || b == ward) ? ward : -1),
                _ => Place(() => index.PointIn(ward, random), g => index.Touching(g) is [var only] && only == ward && index.Contains(ward, g) ? ward : -1),
            };
            var wardNo = n % 200 == 25 ? (wardIndex + wards.Count / 2) % wards.Count + 1 : wardIndex + 1;
            slums.Add((polygon,
            [
                ("slum_id", $"SL-{n:00000}"), ("slum_name", $"{Locality(n * 7)} basti {n}"), ("ward_no", wardNo),
                ("status", (n % 3) switch { 0 => "notified", 1 => "recognised", _ => "identified" }), ("households", (int)(area / 40)),
            ]));

            // A slum around a centre drawn until it fits (wardOf >= 0) and touches no earlier slum; smaller when crowded.
            (Geometry, int) Place(Func<Coordinate> centre, Func<Geometry, int> wardOf)
            {
                for (var attempt = 1; attempt <= 1000; attempt++)
                {
                    if (attempt % 100 == 0) area = Math.Max(2_100, area * 0.7);
                    var ring = SlumRing(centre(), area, random);
                    var shape = Factory.CreatePolygon(ring);
                    var footprint = bowTie ? shape.ConvexHull() : shape;
                    if (placed.Query(footprint.EnvelopeInternal).Any(footprint.Intersects)) continue;
                    var found = wardOf(footprint);
                    if (found < 0) continue;
                    placed.Insert(footprint.EnvelopeInternal, footprint);
                    return (bowTie ? BowTie(ring) : shape, found);
                }
                throw new InvalidOperationException($"slum {n} does not fit in ward {ward + 1}: ask for fewer slums or more wards.");
            }
        }
        return slums;
    }

    /// <summary>Random points on the edge of a polygon.</summary>
    private static Func<Coordinate> AlongEdge(Geometry polygon, Random random)
    {
        var edge = polygon.Boundary;
        var line = new LengthIndexedLine(edge);
        return () => line.ExtractPoint(random.NextDouble() * edge.Length);
    }

    /// <summary>A star-shaped counter-clockwise ring of 8-24 vertices and <paramref name="area"/> m² around the centre.</summary>
    private static Coordinate[] SlumRing(Coordinate centre, double area, Random random)
    {
        var vertices = random.Next(8, 25);
        var angles = Enumerable.Range(0, vertices).Select(k => (k + (random.NextDouble() - 0.5) * 0.6) * 2 * Math.PI / vertices).ToArray();
        var radii = Enumerable.Range(0, vertices).Select(_ => 0.75 + 0.5 * random.NextDouble()).ToArray();
        var unitArea = Enumerable.Range(0, vertices)
            .Sum(k => 0.5 * radii[k] * radii[(k + 1) % vertices] * Math.Sin(angles[(k + 1) % vertices] - angles[k] + (k + 1 == vertices ? 2 * Math.PI : 0)));
        var scale = Math.Sqrt(area / unitArea);
        var ring = new Coordinate[vertices + 1];
        for (var k = 0; k < vertices; k++)
        {
            var offset = DemoCity.Offset(centre.X, centre.Y, scale * radii[k] * Math.Cos(angles[k]), scale * radii[k] * Math.Sin(angles[k]));
            ring[k] = new Coordinate(Math.Round(offset.X, 6), Math.Round(offset.Y, 6));
        }
        ring[vertices] = ring[0].Copy();
        return ring;
    }

    /// <summary>Defect GEOM_INVALID: the first vertex and the middle one trade places, so the ring crosses itself.</summary>
    private static Polygon BowTie(Coordinate[] ring)
    {
        var crossed = ring.Select(c => c.Copy()).ToArray();
        var middle = (ring.Length - 1) / 2;
        (crossed[0], crossed[middle]) = (crossed[middle], crossed[0]);
        crossed[^1] = crossed[0].Copy();
        return Factory.CreatePolygon(crossed);
    }

    /// <summary>Writes the asset CSV; returns the number of rows (assets plus duplicates).</summary>
    private static int WriteAssets(string path, int count, Envelope city, WardIndex index, Random random)
    {
        const double Micro = 1e6;
        var nullIslandEvery = NullIslandEvery(count);
        var taken = new HashSet<(long, long)>(count);   // cells of 20 microdegrees (about 2 m): assets keep out of their 3 x 3
        var rows = 0;
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        writer.WriteLine("asset_id,asset_type,name,ward_no,lon,lat");
        for (var n = 1; n <= count; n++)
        {
            long x, y;
            int ward;
            do
            {
                x = (long)Math.Round((city.MinX + random.NextDouble() * city.Width) * Micro);
                y = (long)Math.Round((city.MinY + random.NextDouble() * city.Height) * Micro);
                ward = (x % 100 == 0 && y % 100 == 0) || Near(x / 20, y / 20) ? -1 : index.At(new Coordinate(x / Micro, y / Micro));
            } while (ward < 0);
            taken.Add((x / 20, y / 20));

            var theme = Themes[(n - 1) % Themes.Length];
            var (lon, lat) = n % nullIslandEvery == nullIslandEvery / 2 ? (0.0, 0.0) : n % 1000 == 100 ? (y / Micro, x / Micro) : (x / Micro, y / Micro);
            var wardNo = n % 1000 == 200 ? (ward + index.Count / 2) % index.Count + 1 : ward + 1;
            var row = string.Create(CultureInfo.InvariantCulture, $"A-{n:0000000},{theme},{theme.Replace('_', ' ')} {n},{wardNo},{lon:0.000000},{lat:0.000000}");
            writer.WriteLine(row);
            rows++;
            if (n % 1000 == 300) { writer.WriteLine(row); rows++; }
        }
        return rows;

        bool Near(long column, long row)
        {
            for (var dx = -1; dx <= 1; dx++)
                for (var dy = -1; dy <= 1; dy++)
                    if (taken.Contains((column + dx, row + dy))) return true;
            return false;
        }
    }

    /// <summary>A point <paramref name="east"/>, <paramref name="north"/> metres from the centre.</summary>
    private static Coordinate At(double east, double north) => DemoCity.Offset(CentreLon, CentreLat, east, north);

    /// <summary>RFC 7946 §3.1.6: outer rings counter-clockwise, holes clockwise.</summary>
    private static Geometry CounterClockwise(Geometry geometry)
    {
        LinearRing Oriented(LinearRing ring, bool ccw) => Orientation.IsCCW(ring.CoordinateSequence) == ccw ? ring : (LinearRing)ring.Reverse();
        Polygon Polygon(Polygon p) => Factory.CreatePolygon(Oriented(p.Shell, true), p.Holes.Select(h => Oriented(h, false)).ToArray());
        return geometry switch
        {
            Polygon p => Polygon(p),
            MultiPolygon m => Factory.CreateMultiPolygon(m.Geometries.Cast<Polygon>().Select(Polygon).ToArray()),
            _ => throw new InvalidOperationException($"a synthetic ward came out as {geometry.GeometryType}"),
        };
    }
}
