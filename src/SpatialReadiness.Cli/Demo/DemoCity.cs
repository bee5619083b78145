using System.Globalization;
using NetTopologySuite.Geometries;
using NetTopologySuite.Triangulate;

namespace SpatialReadiness.Cli.Demo;

/// <summary>
/// Demopur, a made-up town of about 8 x 6 km in Maharashtra, generated (never copied) so that a clone without real data
/// still has a city to serve and check. Byte-identical on every run (fixed seed, invariant culture). The deliberate
/// defects are listed in layers/demo/README.md; each is one the readiness check must find.
/// </summary>
public static class DemoCity
{
    public const string Id = "demopur";
    public const string Name = "Demopur (demo city)";
    public const string State = "Maharashtra";

    private const double CentreLon = 75.80, CentreLat = 20.90;
    internal static readonly GeometryFactory Factory = new(new PrecisionModel(1e6), 4326);
    private static readonly string[] Localities =
    [
        "Ganesh Nagar", "Shivaji Peth", "Azad Chowk", "Laxmi Colony", "Mahatma Phule Nagar", "Sai Baba Wadi",
        "Gandhi Maidan", "Ambedkar Nagar", "Tilak Road", "Khadki Bazar", "Nehru Colony", "Indira Vasahat",
    ];
    private static readonly string[] AssetCategories = ["school", "health", "toilet", "solid_waste", "streetlight", "water", "park", "bus_stop", "ward_office"];

    public static IReadOnlyList<DemoLayer> Write(string directory)
    {
        var random = new Random(4242);
        var outline = Outline(random);
        var wards = Wards(outline, random);
        // The boundary is the union of the clean wards, so they tile it exactly on the 6-decimal grid.
        var boundary = (Polygon)CascadedUnion(wards);
        AddOverlapDefect(wards);
        var slums = Slums(boundary, wards, random);

        DemoGeoJson.Write(Path.Combine(directory, "boundary.geojson"), [(boundary, [("name", Name)])]);
        DemoGeoJson.Write(Path.Combine(directory, "wards.geojson"), wards.Select((w, i) => ((Geometry)w, WardAttributes(i))).ToList());
        DemoGeoJson.Write(Path.Combine(directory, "slums.geojson"), slums);
        WriteAssets(Path.Combine(directory, "assets.csv"), wards, random);
        return
        [
            new("boundary.geojson", "boundary", "Demopur city boundary", "Municipal limit of the demo city."),
            new("wards.geojson", "ward", "Demopur wards", "12 wards tiling the boundary; ward 12 overlaps ward 11, ward 7 has no name."),
            new("slums.geojson", "slum", "Demopur slums", "40 slum polygons with deliberate defects (invalid, outside the city, spanning wards, duplicate id, wrong ward number)."),
            new("assets.csv", "asset", "Demopur assets", "200 asset points; one at 0,0, one with lat/lon swapped, one duplicate row."),
        ];
    }

    private static (string, object?)[] WardAttributes(int index) =>
    [
        ("ward_no", index + 1),
        ("ward_name", index == 6 ? null : $"Ward {index + 1} - {Localities[index]}"),
        ("zone", index < 6 ? "North" : "South"),
        ("population", 18_000 + index * 1_750),
    ];

    /// <summary>An irregular 24-gon around the centre, 3.2-4.8 km in radius.</summary>
    private static Polygon Outline(Random random)
    {
        var ring = new Coordinate[25];
        for (var i = 0; i < 24; i++)
        {
            var angle = 2 * Math.PI * i / 24;
            var radius = 4000 + (random.NextDouble() - 0.5) * 1600;
            ring[i] = Offset(CentreLon, CentreLat, radius * Math.Cos(angle), radius * 0.75 * Math.Sin(angle));
        }
        ring[24] = ring[0].Copy();
        return Factory.CreatePolygon(ring);
    }

    /// <summary>Voronoi cells of a jittered 4 x 3 grid, clipped to the boundary: they tile it edge to edge.</summary>
    private static List<Polygon> Wards(Polygon boundary, Random random)
    {
        var sites = new List<Coordinate>();
        for (var row = 0; row < 3; row++)
            for (var column = 0; column < 4; column++)
                sites.Add(Offset(CentreLon, CentreLat, (column - 1.5) * 2000 + (random.NextDouble() - 0.5) * 600, (row - 1) * 2000 + (random.NextDouble() - 0.5) * 600));
        var builder = new VoronoiDiagramBuilder { ClipEnvelope = new Envelope(CentreLon - 0.2, CentreLon + 0.2, CentreLat - 0.2, CentreLat + 0.2) };
        builder.SetSites(sites);
        var cells = builder.GetDiagram(Factory);
        var wards = sites.Select(site => Enumerable.Range(0, cells.NumGeometries).Select(cells.GetGeometryN).First(c => c.Contains(Factory.CreatePoint(site))))
            .Select(cell => (Polygon)Factory.CreateGeometry(cell.Intersection(boundary))).ToList();
        return wards;
    }

    private static Geometry CascadedUnion(IEnumerable<Polygon> polygons) =>
        NetTopologySuite.Operation.Union.CascadedPolygonUnion.Union(polygons.Cast<Geometry>().ToList());

    /// <summary>Defect OVERLAP: ward 12 reaches 3 m into ward 11.</summary>
    private static void AddOverlapDefect(List<Polygon> wards) =>
        wards[11] = (Polygon)wards[11].Union(wards[10].Intersection(wards[11].Buffer(3 / 111_000.0))).Buffer(0);

    private static List<(Geometry, (string, object?)[])> Slums(Polygon boundary, List<Polygon> wards, Random random)
    {
        var slums = new List<(Geometry, (string, object?)[])>();
        var placed = new List<Geometry>();
        for (var i = 1; i <= 40; i++)
        {
            var wardIndex = (i - 1) % wards.Count;
            Geometry polygon = i switch
            {
                5 => BowTie(Centre(wards[wardIndex], random)),                          // GEOM_INVALID
                10 => Blob(Towards(boundary.ExteriorPoint(), -30), 90, random),         // OUTSIDE_CITY (partly outside)
                15 => Blob(SharedEdgePoint(wards[0], wards[1]), 70, random),            // WARD_MISMATCH (spans wards 1 and 2)
                _ => InsideWard(wards[wardIndex], placed, random),
            };
            placed.Add(polygon);
            // The deliberate defects keep a truthful ward number: the ward holding most of the slum.
            if (i is 10 or 15) wardIndex = wards.Select((w, index) => (index, area: w.Intersection(polygon).Area)).MaxBy(w => w.area).index;
            var id = i == 20 ? "DS-019" : $"DS-{i:000}";                               // ID_NOT_UNIQUE
            var wardNo = i == 25 ? (wardIndex + 3) % 12 + 1 : wardIndex + 1;         // ward_no disagrees with location
            slums.Add((polygon,
            [
                ("slum_id", id), ("slum_name", $"{Localities[(i * 5) % Localities.Length]} vasti {i}"), ("ward_no", wardNo),
                ("households", 60 + (i * 37) % 400), ("status", (i % 3) switch { 0 => "notified", 1 => "non-notified", _ => "recognised" }),
            ]));
        }
        return slums;
    }

    private static void WriteAssets(string path, List<Polygon> wards, Random random)
    {
        using var writer = new StreamWriter(path, false, new System.Text.UTF8Encoding(false)) { NewLine = "\n" };
        writer.WriteLine("asset_id,name,category,ward_no,lon,lat");
        string? previous = null;
        for (var i = 1; i <= 200; i++)
        {
            var wardIndex = (i - 1) % wards.Count;
            var category = AssetCategories[(i - 1) % AssetCategories.Length];
            var point = Centre(wards[wardIndex], random);
            var (lon, lat) = i switch
            {
                50 => (0.0, 0.0),                 // null island
                100 => (point.Y, point.X),        // latitude in the longitude column
                _ => (point.X, point.Y),
            };
            var row = string.Create(CultureInfo.InvariantCulture,
                $"A-{i:0000},{category.Replace('_', ' ')} {i},{category},{wardIndex + 1},{lon:0.000000},{lat:0.000000}");
            writer.WriteLine(i == 150 ? previous : row); // duplicate of row 149
            previous = row;
        }
    }

    /// <summary>A slum inside the ward that keeps at least 20 m from every slum placed before it.</summary>
    private static Polygon InsideWard(Polygon ward, List<Geometry> placed, Random random)
    {
        const double clearance = 20 / 111_000.0;
        for (var attempt = 0; ; attempt++)
        {
            var blob = Blob(Centre(ward, random), 50 + random.NextDouble() * 60, random);
            if (ward.Contains(blob) && placed.All(other => !other.IsWithinDistance(blob, clearance))) return blob;
            if (attempt > 500) throw new InvalidOperationException("no room left for another demo slum in the ward");
        }
    }

    /// <summary>A random point well inside the polygon.</summary>
    private static Coordinate Centre(Polygon polygon, Random random)
    {
        var envelope = polygon.EnvelopeInternal;
        var inner = polygon.Buffer(-200 / 111_000.0);
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var candidate = new Coordinate(envelope.MinX + random.NextDouble() * envelope.Width, envelope.MinY + random.NextDouble() * envelope.Height);
            if (inner.Contains(Factory.CreatePoint(candidate))) return candidate;
        }
        return polygon.InteriorPoint.Coordinate;
    }

    /// <summary>An irregular hexagon of about <paramref name="radius"/> metres.</summary>
    private static Polygon Blob(Coordinate centre, double radius, Random random)
    {
        var ring = new Coordinate[7];
        for (var k = 0; k < 6; k++)
        {
            var r = radius * (0.7 + random.NextDouble() * 0.5);
            ring[k] = Offset(centre.X, centre.Y, r * Math.Cos(k * Math.PI / 3), r * Math.Sin(k * Math.PI / 3));
        }
        ring[6] = ring[0].Copy();
        return Factory.CreatePolygon(ring);
    }

    private static Polygon BowTie(Coordinate c) => Factory.CreatePolygon(
    [
        Offset(c.X, c.Y, -60, -40), Offset(c.X, c.Y, 60, 40), Offset(c.X, c.Y, 60, -40), Offset(c.X, c.Y, -60, 40), Offset(c.X, c.Y, -60, -40),
    ]);

    /// <summary>The middle of the longest stretch of edge two wards share.</summary>
    private static Coordinate SharedEdgePoint(Polygon a, Polygon b)
    {
        var shared = a.Intersection(b);
        var longest = Enumerable.Range(0, shared.NumGeometries).Select(shared.GetGeometryN).OfType<LineString>().MaxBy(l => l.Length)
            ?? throw new InvalidOperationException("the demo wards 1 and 2 must share an edge");
        return new NetTopologySuite.LinearReferencing.LengthIndexedLine(longest).ExtractPoint(longest.Length / 2);
    }

    /// <summary>A point <paramref name="metres"/> outward (negative: inward) from a boundary vertex.</summary>
    private static Coordinate Towards(Coordinate onBoundary, double metres)
    {
        var dx = onBoundary.X - CentreLon;
        var dy = onBoundary.Y - CentreLat;
        var length = Math.Sqrt(dx * dx + dy * dy);
        return new Coordinate(onBoundary.X + dx / length * metres / 111_000.0, onBoundary.Y + dy / length * metres / 111_000.0);
    }

    private static Coordinate ExteriorPoint(this Polygon polygon) => polygon.ExteriorRing.GetCoordinateN(3);

    internal static Coordinate Offset(double lon, double lat, double eastMetres, double northMetres) =>
        new(lon + eastMetres / (111_320.0 * Math.Cos(lat * Math.PI / 180)), lat + northMetres / 110_574.0);
}

public sealed record DemoLayer(string FileName, string Kind, string Title, string Description);
