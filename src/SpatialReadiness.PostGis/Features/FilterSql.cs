using System.Globalization;
using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;
using SpatialReadiness.Core.Features;

namespace SpatialReadiness.PostGis.Features;

/// <summary>
/// Turns a <see cref="FeatureFilter"/> into a SQL condition. Every value is a bound parameter; a field is read as text
/// (<paramref name="fieldText"/> gives its SQL, or null when the row has no such field, which then reads as NULL) and
/// compared as the literal's type: a number compares numerically, and a text value never raises a cast error, it is
/// simply not a number. <paramref name="geometryColumn"/> is the row's geometry column.
/// A condition PostgreSQL could not evaluate (a literal out of numeric range, text compared with a number or a date, a
/// LIKE pattern ending in its escape, a NUL character, a geometry literal a predicate cannot take) is refused here as an
/// <see cref="InputException"/> (400) before any SQL runs: an error raised by PostgreSQL row by row could come after
/// part of the answer was sent.
/// </summary>
internal sealed class FilterSql(SqlParameters parameters, Func<string, string?> fieldText, string geometryColumn = "f.geom")
{
    /// <summary>Fields of features: keys of the jsonb attributes of the row <c>f</c>, each key a bound parameter.</summary>
    public static Func<string, string?> Attributes(SqlParameters parameters, IReadOnlyDictionary<string, string> keys) =>
        name => keys.TryGetValue(name, out var key) ? $"(f.attributes ->> {parameters.Add(key, NpgsqlDbType.Text)})" : null;

    private enum Kind { Text, Number, Boolean, Time }

    public string Render(FeatureFilter filter) => filter switch
    {
        AllOf all => all.Parts.Count == 0 ? "TRUE" : "(" + string.Join(" AND ", all.Parts.Select(Render)) + ")",
        AnyOf any => any.Parts.Count == 0 ? "FALSE" : "(" + string.Join(" OR ", any.Parts.Select(Render)) + ")",
        Not not => $"(NOT COALESCE({Render(not.Inner)}, FALSE))",
        Comparison c => Compare(c),
        Like like => $"({Text(like.Value)} {(like.IgnoreCase ? "ILIKE" : "LIKE")} {parameters.Add(Pattern(like.Pattern), NpgsqlDbType.Text)})",
        In @in => InList(@in),
        IsNull isNull => $"({Text(isNull.Value)} IS NULL)",
        Spatial spatial => SpatialSql(spatial),
        _ => throw new NotSupportedException($"filter {filter.GetType().Name} has no SQL form"),
    };

    private string Compare(Comparison c)
    {
        var (left, right, op) = c.Left is Literal && c.Right is not Literal ? (c.Right, c.Left, Mirror(c.Operator)) : (c.Left, c.Right, c.Operator);
        if (right is Literal { Value: null })
            return op switch
            {
                ComparisonOperator.Equal => $"({Text(left)} IS NULL)",
                ComparisonOperator.NotEqual => $"({Text(left)} IS NOT NULL)",
                _ => "FALSE",
            };
        if (left is DistanceTo distance && right is Literal { Value: not null } within && op is ComparisonOperator.Less or ComparisonOperator.LessOrEqual)
            return WithinDistance(distance, (double)NumberOf(within.Value), op);
        var kind = KindOf(right) ?? KindOf(left) ?? Kind.Text;
        // A measure (distance, area, length) or the id is a number: it compares with numbers (the id also with text).
        foreach (var side in (Operand[])[left, right])
            if (side is DistanceTo or AreaOf or TextLength && kind != Kind.Number || side is FeatureId && kind is Kind.Boolean or Kind.Time)
                throw new InputException(InputError.Malformed, $"a comparison mixes types: {Describe(side)} is a number, compared here with {Describe(side == left ? right : left)}.");
        return $"({As(left, kind)} {Symbol(op)} {As(right, kind)})";
    }

    /// <summary>
    /// ST_DWithin on geography, behind a bounding-box test the geometry index can answer (a representative point lies
    /// inside its feature's bounding box, so the same test holds for it).
    /// </summary>
    private string WithinDistance(DistanceTo distance, double metres, ComparisonOperator op)
    {
        var geometry = distance.Geometry;
        Check(geometry);
        var g = parameters.Add(geometry);
        var from = Of(distance.FromLocation);
        var maxLatitude = Math.Min(89, Math.Max(Math.Abs(geometry.EnvelopeInternal.MinY), Math.Abs(geometry.EnvelopeInternal.MaxY)) + metres / 110_000 + 0.01);
        var degrees = metres / (111_000 * Math.Cos(maxLatitude * Math.PI / 180)) * 1.01 + 1e-7;
        var m = parameters.Add(metres, NpgsqlDbType.Double);
        var strict = op == ComparisonOperator.Less ? $" AND ST_Distance({from}::geography, {g}::geography) < {m}" : "";
        return $"({geometryColumn} && ST_Expand({g}, {parameters.Add(degrees, NpgsqlDbType.Double)}) AND ST_DWithin({from}::geography, {g}::geography, {m}){strict})";
    }

    private string InList(In @in)
    {
        var kind = @in.Values.Select(v => KindOf(v)).FirstOrDefault(k => k is not null) ?? Kind.Text;
        var values = @in.Values.Where(v => v.Value is not null).ToList();
        var list = kind switch
        {
            Kind.Number => parameters.Add(values.Select(v => NumberOf(v.Value)).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Numeric),
            _ => parameters.Add(values.Select(v => TextOf(v.Value!)).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text),
        };
        var orNull = values.Count < @in.Values.Count ? $" OR {Text(@in.Value)} IS NULL" : "";
        return $"({As(@in.Value, kind == Kind.Number ? Kind.Number : Kind.Text)} = ANY({list}){orNull})";
    }

    private string SpatialSql(Spatial spatial)
    {
        Check(spatial.Geometry);
        if (spatial.Geometry is GeometryCollection && spatial.Geometry.GetType() == typeof(GeometryCollection) && spatial.Operator is not (SpatialOperator.Intersects or SpatialOperator.Disjoint))
            throw new InputException(InputError.Malformed, $"a GEOMETRYCOLLECTION can only be used with intersects or disjoint; give its parts one by one, or a MULTI geometry, for {spatial.Operator.ToString().ToLowerInvariant()}.");
        var g = parameters.Add(spatial.Geometry);
        // A literal in another CRS (a client's filter-crs) is brought to the features' EPSG:4326 by PostGIS.
        if (spatial.Geometry.SRID is not (0 or 4326)) g = $"ST_Transform({g}, 4326)";
        var of = Of(spatial.OfLocation);
        // A representative point lies inside its feature's bounding box: the indexed test still narrows the search.
        var narrow = spatial.OfLocation && spatial.Operator is SpatialOperator.Intersects or SpatialOperator.Within ? $"{geometryColumn} && {g} AND " : "";
        return narrow + spatial.Operator switch
        {
            SpatialOperator.Intersects => $"ST_Intersects({of}, {g})",
            SpatialOperator.Disjoint => $"({of} IS NOT NULL AND NOT ST_Intersects({of}, {g}))",
            SpatialOperator.Within => $"ST_Within({of}, {g})",
            SpatialOperator.Contains => $"ST_Contains({of}, {g})",
            SpatialOperator.Touches => $"ST_Touches({of}, {g})",
            SpatialOperator.Crosses => $"ST_Crosses({of}, {g})",
            SpatialOperator.Overlaps => $"ST_Overlaps({of}, {g})",
            SpatialOperator.Equals => $"ST_Equals({of}, {g})",
            _ => throw new NotSupportedException($"spatial operator {spatial.Operator}"),
        };
    }

    /// <summary>The feature's geometry, or its representative point.</summary>
    private string Of(bool location) => location ? $"ST_PointOnSurface({geometryColumn})" : geometryColumn;

    /// <summary>The operand as SQL of the given kind.</summary>
    private string As(Operand operand, Kind kind) => operand switch
    {
        Literal { Value: var value } => kind switch
        {
            Kind.Number => parameters.Add(NumberOf(value), NpgsqlDbType.Numeric),
            Kind.Boolean => parameters.Add(value is bool b ? b : bool.TryParse(TextOf(value), out var parsed) ? parsed : throw Mixed(value, "true or false"), NpgsqlDbType.Boolean),
            Kind.Time => parameters.Add(TimeOf(value!), NpgsqlDbType.TimestampTz),
            _ => parameters.Add(TextOf(value!), NpgsqlDbType.Text),
        },
        FeatureId => kind == Kind.Number ? "f.id" : "f.id::text",
        DistanceTo d => $"ST_Distance({Of(d.FromLocation)}::geography, {parameters.Add(Check(d.Geometry))}::geography)",
        AreaOf => $"ST_Area({geometryColumn}::geography)",
        TextLength t => $"length({Text(t.Inner)})",
        _ => kind switch
        {
            Kind.Number => $"sr_number({Text(operand)})",
            Kind.Boolean => $"sr_boolean({Text(operand)})",
            Kind.Time => $"sr_timestamp({Text(operand)})",
            _ => Text(operand),
        },
    };

    /// <summary>The operand as text.</summary>
    private string Text(Operand operand) => operand switch
    {
        Field field => fieldText(field.Name) ?? "NULL::text",
        FeatureId => "f.id::text",
        Lower lower => $"lower({Text(lower.Inner)})",
        Upper upper => $"upper({Text(upper.Inner)})",
        Literal { Value: null } => "NULL::text",
        Literal literal => parameters.Add(TextOf(literal.Value), NpgsqlDbType.Text),
        LayerProperty => throw new NotSupportedException("a layer property is resolved per source layer (LayerFolding) before its SQL is built"),
        _ => $"({As(operand, Kind.Number)})::text",
    };

    private static Kind? KindOf(Operand operand) => operand switch
    {
        Literal { Value: sbyte or byte or short or int or long or float or double or decimal } => Kind.Number,
        Literal { Value: bool } => Kind.Boolean,
        Literal { Value: DateTimeOffset or DateTime or DateOnly } => Kind.Time,
        Literal { Value: string } => Kind.Text,
        FeatureId or DistanceTo or AreaOf or TextLength => Kind.Number,
        Lower or Upper => Kind.Text,
        _ => null,
    };

    private static string TextOf(object? value)
    {
        var text = value switch
        {
            null => "",
            bool b => b ? "true" : "false",
            DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
        // PostgreSQL text cannot hold NUL.
        return text.Contains('\0') ? throw new InputException(InputError.Malformed, "a text value in the filter contains the NUL character (%00), which no stored text can hold.") : text;
    }

    /// <summary>A literal compared as a number: within PostgreSQL numeric's and .NET decimal's range (about ±7.9e28), finite.</summary>
    private static decimal NumberOf(object? value)
    {
        try
        {
            return value switch
            {
                double d when !double.IsFinite(d) => throw Mixed(value, "a finite number"),
                float f when !float.IsFinite(f) => throw Mixed(value, "a finite number"),
                sbyte or byte or short or int or long or float or double or decimal => Convert.ToDecimal(value, CultureInfo.InvariantCulture),
                string text when decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
                _ => throw Mixed(value, "a number"),
            };
        }
        catch (OverflowException)
        {
            throw new InputException(InputError.Malformed, $"the number {TextOf(value)} is out of range: filters compare numbers up to ±7.9e28.");
        }
    }

    private static DateTimeOffset TimeOf(object value) => value switch
    {
        DateTimeOffset t => t.ToUniversalTime(),
        DateTime t => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)),
        DateOnly d => new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
        _ => DateTimeOffset.TryParse(TextOf(value), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed.ToUniversalTime() : throw Mixed(value, "a date or time"),
    };

    private static InputException Mixed(object? value, string expected) =>
        new(InputError.Malformed, $"a comparison mixes types: {(value is string ? $"'{TextOf(value)}'" : TextOf(value))} is compared where {expected} is needed.");

    private static string Describe(Operand operand) => operand switch
    {
        Literal { Value: string text } => $"the text '{TextOf(text)}'",
        Literal { Value: bool } => "a boolean",
        Literal { Value: DateTimeOffset or DateTime or DateOnly } => "a date or time",
        Literal literal => TextOf(literal.Value),
        DistanceTo => "a distance",
        AreaOf => "an area",
        TextLength => "a length",
        FeatureId => "the id",
        _ => "a field",
    };

    /// <summary>A LIKE pattern PostgreSQL accepts: no NUL, and not ending in an unpaired escape character.</summary>
    private static string Pattern(string pattern)
    {
        TextOf(pattern);
        var escapes = pattern.Length - pattern.TrimEnd('\\').Length;
        return escapes % 2 == 1
            ? throw new InputException(InputError.Malformed, $"the LIKE pattern '{pattern}' ends with an escape character (\\); escape it as \\\\ to match a backslash.")
            : pattern;
    }

    /// <summary>A geometry literal PostGIS can use: finite coordinates, in range for lon/lat (EPSG:4326), within web mercator's ±2.1e7 m otherwise.</summary>
    private static Geometry Check(Geometry geometry)
    {
        var lonLat = geometry.SRID is 0 or 4326;
        foreach (var c in geometry.Coordinates)
            if (!double.IsFinite(c.X) || !double.IsFinite(c.Y) || (lonLat ? Math.Abs(c.X) > 180 || Math.Abs(c.Y) > 90 : Math.Abs(c.X) > 2.1e7 || Math.Abs(c.Y) > 2.1e7))
                throw new InputException(InputError.Malformed, lonLat
                    ? $"the geometry literal has the coordinate {c.X.ToString(CultureInfo.InvariantCulture)} {c.Y.ToString(CultureInfo.InvariantCulture)} outside longitude -180..180, latitude -90..90."
                    : $"the geometry literal has a coordinate out of range ({c.X.ToString(CultureInfo.InvariantCulture)} {c.Y.ToString(CultureInfo.InvariantCulture)}).");
        return geometry;
    }

    private static string Symbol(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => "=",
        ComparisonOperator.NotEqual => "<>",
        ComparisonOperator.Less => "<",
        ComparisonOperator.LessOrEqual => "<=",
        ComparisonOperator.Greater => ">",
        _ => ">=",
    };

    /// <summary>The operator with its operands swapped ("5 &lt; x" is "x &gt; 5").</summary>
    internal static ComparisonOperator Mirror(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Less => ComparisonOperator.Greater,
        ComparisonOperator.LessOrEqual => ComparisonOperator.GreaterOrEqual,
        ComparisonOperator.Greater => ComparisonOperator.Less,
        ComparisonOperator.GreaterOrEqual => ComparisonOperator.LessOrEqual,
        _ => op,
    };
}

/// <summary>Parameters of one command, named @p0, @p1, ... in the order they are added.</summary>
internal sealed class SqlParameters
{
    public List<NpgsqlParameter> All { get; } = [];

    public string Add(object value, NpgsqlDbType type)
    {
        var name = "p" + All.Count.ToString(CultureInfo.InvariantCulture);
        All.Add(new NpgsqlParameter(name, type) { Value = value });
        return "@" + name;
    }

    public string Add(Geometry geometry)
    {
        if (geometry.SRID == 0) geometry.SRID = 4326;
        var name = "p" + All.Count.ToString(CultureInfo.InvariantCulture);
        All.Add(new NpgsqlParameter(name, geometry));
        return "@" + name;
    }
}
