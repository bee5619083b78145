using System.Globalization;
using NetTopologySuite.Geometries;

namespace SpatialReadiness.Ingest.Formats;

/// <summary>
/// Builds the nearest geometry PostGIS accepts from what a file wrote, and says what was wrong, so that one bad
/// feature never refuses a whole layer (README: invalid geometry is stored as received and counted). A ring left open
/// is closed by repeating its first vertex; a ring or line with too few points is padded by repeating its last vertex
/// (PostGIS stores it, GEOS calls it invalid: "Too few points"); a part with no coordinates at all is dropped. The
/// notes go with the feature (features.geometry_note) and GEOM_INVALID reports them; a feature with any note counts
/// as invalid whatever its repaired shape. One instance per feature.
/// </summary>
internal sealed class GeometryRepair
{
    private readonly GeometryFactory _factory;
    private readonly List<string> _notes = [];

    public GeometryRepair(GeometryFactory factory) => _factory = factory;

    /// <summary>What was wrong with the feature's geometry as written, or null when nothing was.</summary>
    public string? Note => _notes.Count == 0 ? null : string.Join("; ", _notes.Distinct());

    public void Add(string note) => _notes.Add(note);

    /// <summary>A linear ring from <paramref name="coordinates"/>, closed and padded when needed; null when it has none.</summary>
    public LinearRing? Ring(Coordinate[] coordinates)
    {
        if (coordinates.Length == 0)
        {
            _notes.Add("a ring with no coordinates: dropped");
            return null;
        }
        var points = coordinates.ToList();
        if (!points[0].Equals2D(points[^1]))
        {
            points.Add(points[0].Copy());
            _notes.Add("ring not closed: closed by repeating its first vertex");
        }
        if (points.Count < 4)
        {
            _notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"ring with too few points ({coordinates.Length}; a ring needs 4 with the last equal to the first): stored padded, it encloses no area"));
            while (points.Count < 4) points.Insert(points.Count - 1, points[^1].Copy());
        }
        return _factory.CreateLinearRing(points.ToArray());
    }

    /// <summary>A polygon from its rings (shell first); holes that could not be built are dropped, and a polygon without a shell is null.</summary>
    public Polygon? Polygon(IReadOnlyList<Coordinate[]> rings)
    {
        if (rings.Count == 0) return _factory.CreatePolygon();
        var shell = Ring(rings[0]);
        var holes = rings.Skip(1).Select(Ring).OfType<LinearRing>().ToArray();
        if (shell is null)
        {
            _notes.Add("a polygon without an outer ring: dropped");
            return null;
        }
        return _factory.CreatePolygon(shell, holes);
    }

    /// <summary>A line string, padded to two points when it has one.</summary>
    public LineString? Line(Coordinate[] coordinates)
    {
        if (coordinates.Length == 0) return _factory.CreateLineString();
        if (coordinates.Length >= 2) return _factory.CreateLineString(coordinates);
        _notes.Add("a line with one point: stored as a line of zero length");
        return _factory.CreateLineString([coordinates[0], coordinates[0].Copy()]);
    }

    /// <summary>
    /// The geometry to store once every part is built: null when nothing usable is left (the feature is then stored
    /// without geometry, with the note saying why).
    /// </summary>
    public Geometry? Finish(Geometry? geometry)
    {
        if (geometry is { IsEmpty: false } || _notes.Count == 0) return geometry;
        _notes.Add("nothing usable was left: stored without geometry");
        return null;
    }
}
