using NetTopologySuite.Geometries;

namespace SpatialReadiness.Core.Features;

/// <summary>
/// A condition on features, parsed from a client's query language (OData $filter, CQL2 text) and turned into SQL by
/// SpatialReadiness.PostGis (Features/FilterSql): one model, so both protocols filter the same way and in PostGIS.
/// </summary>
public abstract record FeatureFilter;

public sealed record AllOf(IReadOnlyList<FeatureFilter> Parts) : FeatureFilter;

public sealed record AnyOf(IReadOnlyList<FeatureFilter> Parts) : FeatureFilter;

public sealed record Not(FeatureFilter Inner) : FeatureFilter;

/// <summary>Left op Right; comparing a field with a number compares numbers, with text compares text.</summary>
public sealed record Comparison(Operand Left, ComparisonOperator Operator, Operand Right) : FeatureFilter;

/// <summary>SQL LIKE: '%' any run of characters, '_' one character, '\' escapes either.</summary>
public sealed record Like(Operand Value, string Pattern, bool IgnoreCase = false) : FeatureFilter;

public sealed record In(Operand Value, IReadOnlyList<Literal> Values) : FeatureFilter;

public sealed record IsNull(Operand Value) : FeatureFilter;

/// <summary>
/// The feature's geometry related to a literal geometry: lon/lat EPSG:4326 when its SRID is 0 or 4326, else in that
/// EPSG code. With <paramref name="OfLocation"/>, the feature's representative point instead (a point on its
/// surface), which is what OData's geo functions mean.
/// </summary>
public sealed record Spatial(SpatialOperator Operator, Geometry Geometry, bool OfLocation = false) : FeatureFilter;

public enum ComparisonOperator { Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual }

public enum SpatialOperator { Intersects, Disjoint, Within, Contains, Touches, Crosses, Overlaps, Equals }

/// <summary>Something a condition compares: a field, the feature id, a literal or a function of them.</summary>
public abstract record Operand;

/// <summary>A field of the feature's attributes, by the name a client sees (already checked to exist and be public).</summary>
public sealed record Field(string Name) : Operand;

/// <summary>The feature id (features.id), the key of every feed.</summary>
public sealed record FeatureId : Operand;

/// <summary>
/// A fact about the feature's layer: its city, name, id or kind. It is one value per layer, so the SQL builder
/// resolves it per source layer before any row is read: a condition on it alone is decided there, and a layer whose
/// condition is false is not read at all.
/// </summary>
public sealed record LayerProperty(LayerFact Fact) : Operand;

public enum LayerFact { City, Layer, LayerId, Kind }

/// <summary>A constant: string, long, double, decimal, bool, DateTimeOffset, DateOnly or null.</summary>
public sealed record Literal(object? Value) : Operand;

public sealed record Lower(Operand Inner) : Operand;

public sealed record Upper(Operand Inner) : Operand;

public sealed record TextLength(Operand Inner) : Operand;

/// <summary>Metres on the ellipsoid between the feature's geometry (or its representative point) and a literal geometry in EPSG:4326.</summary>
public sealed record DistanceTo(Geometry Geometry, bool FromLocation = false) : Operand;

/// <summary>The feature's area in m² on the ellipsoid (0 for points and lines).</summary>
public sealed record AreaOf : Operand;
