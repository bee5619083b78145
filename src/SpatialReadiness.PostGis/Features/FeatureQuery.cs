using SpatialReadiness.Core.Features;
using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.PostGis.Features;

/// <summary>
/// One layer as a feed sees it: the names its clients use for fields, each mapped to the attribute key that holds it.
/// Only the fields the layer's view serves (<see cref="LayerInfo.PublicFields"/>) belong in <see cref="Fields"/>; the
/// caller decides who may read the layer at all and with which view (Accounts.Caller.View).
/// </summary>
public sealed record FeatureSource(LayerInfo Layer, IReadOnlyDictionary<string, string> Fields, bool OpenAttributes)
{
    /// <summary>Every served field under its own name; with <paramref name="open"/>, the properties are the attributes minus the withheld fields.</summary>
    public static FeatureSource AsIs(LayerInfo layer, bool open = true) =>
        new(layer, layer.PublicFields.ToDictionary(f => f, f => f, StringComparer.Ordinal), open);
}

public sealed record SortKey(Operand By, bool Descending = false);

/// <summary>How geometry comes out with each row.</summary>
[Flags]
public enum GeometryOutput
{
    None = 0,
    GeoJson = 1,
    Wkt = 2,
    /// <summary>Centroid lon/lat, area in m² and bounding box (lon/lat): what Power BI and Excel can map.</summary>
    Measures = 4,
}

/// <summary>
/// A page of features from one or more layers (a typed feed spans every ward layer, say), filtered, sorted and
/// paged in PostGIS. Without a sort the order is the feature id, and <see cref="AfterId"/> pages by key.
/// </summary>
public sealed record FeatureQuery(IReadOnlyList<FeatureSource> Sources)
{
    public FeatureFilter? Filter { get; init; }
    /// <summary>min x, min y, max x, max y in <see cref="BboxSrid"/> (min lon, min lat, ... for 4326); features whose geometry intersects it.</summary>
    public double[]? Bbox { get; init; }
    /// <summary>EPSG code of <see cref="Bbox"/>, x = east (longitude) first whatever the CRS's own axis order.</summary>
    public int BboxSrid { get; init; } = 4326;
    public IReadOnlyList<SortKey> OrderBy { get; init; } = [];
    public long? AfterId { get; init; }
    public long Offset { get; init; }
    public int? Limit { get; init; }
    public GeometryOutput Geometry { get; init; } = GeometryOutput.GeoJson;
    /// <summary>EPSG code of the geometry written out; coordinates in that CRS's axis order when <see cref="LatitudeFirst"/>.</summary>
    public int OutputSrid { get; init; } = 4326;
    public bool LatitudeFirst { get; init; }
    /// <summary>Decimal places of coordinates written out: 7 (about 1 cm) for degrees, 3 for metres.</summary>
    public int Decimals => OutputSrid is 4326 or 4674 ? 7 : 3;
    /// <summary>Only these fields in the properties (null: all of the source's fields).</summary>
    public IReadOnlyList<string>? Select { get; init; }
}

/// <summary>
/// A feature as read: its properties as JSON (field name to value, nulls kept) and the geometry outputs asked for, each
/// text as the UTF-8 bytes PostgreSQL sent: feeds copy them into UTF-8 responses as they are (decoding every row into a
/// .NET string and encoding it back was a sixth of the server's CPU in a feed of polygons).
/// </summary>
public sealed record FeatureRow(
    long Id, long LayerId, byte[] PropertiesJson, byte[]? GeoJson, byte[]? Wkt,
    double? CentroidLon, double? CentroidLat, double? AreaM2, double[]? Bbox);
