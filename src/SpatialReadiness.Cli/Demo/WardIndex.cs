using NetTopologySuite.Algorithm.Locate;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using NetTopologySuite.Index.Strtree;

namespace SpatialReadiness.Cli.Demo;

/// <summary>Which ward a point or shape lies in: an STRtree of ward envelopes with a point locator per ward.</summary>
internal sealed class WardIndex
{
    private readonly STRtree<int> _tree = new();
    private readonly List<Geometry> _wards;
    private readonly IPointOnGeometryLocator[] _locators;
    private readonly IPreparedGeometry[] _prepared;

    public WardIndex(List<Geometry> wards)
    {
        _wards = wards;
        _locators = wards.Select(w => (IPointOnGeometryLocator)new IndexedPointInAreaLocator(w)).ToArray();
        _prepared = wards.Select(PreparedGeometryFactory.Prepare).ToArray();
        for (var k = 0; k < wards.Count; k++) _tree.Insert(wards[k].EnvelopeInternal, k);
        _tree.Build();
    }

    public int Count => _wards.Count;

    /// <summary>The one ward whose interior holds the point; -1 outside the city, on an edge or in an overlap.</summary>
    public int At(Coordinate point)
    {
        var found = -1;
        foreach (var k in _tree.Query(new Envelope(point)))
            if (_locators[k].Locate(point) == Location.Interior)
            {
                if (found >= 0) return -1;
                found = k;
            }
        return found;
    }

    public List<int> Touching(Geometry shape) => _tree.Query(shape.EnvelopeInternal).Where(k => _prepared[k].Intersects(shape)).Order().ToList();

    public bool Contains(int ward, Geometry shape) => _prepared[ward].Contains(shape);

    public Coordinate PointIn(int ward, Random random)
    {
        var envelope = _wards[ward].EnvelopeInternal;
        while (true)
        {
            var point = new Coordinate(envelope.MinX + random.NextDouble() * envelope.Width, envelope.MinY + random.NextDouble() * envelope.Height);
            if (_locators[ward].Locate(point) == Location.Interior) return point;
        }
    }
}
