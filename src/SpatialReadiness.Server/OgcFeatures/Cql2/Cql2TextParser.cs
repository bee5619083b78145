using System.Globalization;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using SpatialReadiness.Core.Features;

namespace SpatialReadiness.Server.OgcFeatures.Cql2;

/// <summary>
/// Parses CQL2 text (OGC 21-065) into the shared <see cref="FeatureFilter"/> model: AND/OR/NOT and parentheses;
/// =, &lt;&gt;, &lt;, &lt;=, &gt;, &gt;=; LIKE, BETWEEN, IN, IS [NOT] NULL; CASEI; DATE/TIMESTAMP literals; and the
/// spatial functions S_INTERSECTS, S_DISJOINT, S_WITHIN, S_CONTAINS, S_TOUCHES, S_CROSSES, S_OVERLAPS, S_EQUALS with
/// WKT or BBOX literals. Property names must be queryables (public fields, or the geometry property); anything else is
/// refused with its position. ILIKE is accepted too, since GDAL 3.6 sends it from the pre-release CQL draft.
/// </summary>
/// <param name="properties">The queryable property names (case-sensitive, as clients see them).</param>
/// <param name="srid">The CRS of geometry literals (filter-crs); 4326 means lon/lat unless <paramref name="latitudeFirst"/>.</param>
public sealed class Cql2TextParser(IReadOnlyCollection<string> properties, int srid = 4326, bool latitudeFirst = false)
{
    public const string GeometryProperty = "geometry";

    /// <summary>How deep parentheses and NOTs may nest: the parser and the SQL built from it recurse, and a URL limit is not a depth limit.</summary>
    public const int MaxDepth = 64;

    /// <summary>What this parser implements, as CQL2 conformance classes.</summary>
    public static readonly IReadOnlyList<string> ConformanceClasses =
    [
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
        "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
        "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
        // The name before CQL2 1.0 was final; QGIS looks for this one.
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-operators",
        "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    ];

    private static readonly Dictionary<string, SpatialOperator> SpatialFunctions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["S_INTERSECTS"] = SpatialOperator.Intersects, ["S_DISJOINT"] = SpatialOperator.Disjoint,
        ["S_WITHIN"] = SpatialOperator.Within, ["S_CONTAINS"] = SpatialOperator.Contains,
        ["S_TOUCHES"] = SpatialOperator.Touches, ["S_CROSSES"] = SpatialOperator.Crosses,
        ["S_OVERLAPS"] = SpatialOperator.Overlaps, ["S_EQUALS"] = SpatialOperator.Equals,
    };

    private static readonly HashSet<string> GeometryWords = new(StringComparer.OrdinalIgnoreCase)
        { "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION" };

    private Cql2Lexer _lexer = null!;
    private int _depth;

    public FeatureFilter Parse(string text)
    {
        _lexer = new Cql2Lexer(text);
        _depth = 0;
        if (_lexer.Peek().Kind == Cql2TokenKind.End) throw new Cql2Exception("the filter is empty (position 1)", 1);
        var filter = Or();
        var rest = _lexer.Next();
        if (rest.Kind != Cql2TokenKind.End) throw Unexpected(rest, "AND, OR or the end of the filter");
        return filter;
    }

    private FeatureFilter Or()
    {
        var parts = new List<FeatureFilter> { And() };
        while (_lexer.Peek().Is("OR")) { _lexer.Next(); parts.Add(And()); }
        return parts.Count == 1 ? parts[0] : new AnyOf(parts);
    }

    private FeatureFilter And()
    {
        var parts = new List<FeatureFilter> { Factor() };
        while (_lexer.Peek().Is("AND")) { _lexer.Next(); parts.Add(Factor()); }
        return parts.Count == 1 ? parts[0] : new AllOf(parts);
    }

    private FeatureFilter Factor()
    {
        var token = _lexer.Peek();
        if (!token.Is("NOT")) return Primary();
        _lexer.Next();
        Deeper(token);
        var inner = Factor();
        _depth--;
        return new Not(inner);
    }

    private void Deeper(Cql2Token at)
    {
        if (++_depth > MaxDepth)
            throw new Cql2Exception($"the filter nests deeper than {MaxDepth} levels (parentheses and NOT) at position {at.Start + 1}; simplify it", at.Start + 1);
    }

    private FeatureFilter Primary()
    {
        var token = _lexer.Peek();
        if (token.IsSymbol("("))
        {
            _lexer.Next();
            Deeper(token);
            var inner = Or();
            Expect(")");
            _depth--;
            return inner;
        }
        if (token.Kind == Cql2TokenKind.Word && SpatialFunctions.TryGetValue(token.Text, out var op) && After(token).IsSymbol("("))
            return SpatialPredicate(op);
        if ((token.Is("TRUE") || token.Is("FALSE")) && !IsComparisonNext(token))
        {
            _lexer.Next();
            return token.Is("TRUE") ? new AllOf([]) : new AnyOf([]);
        }
        return Predicate();
    }

    private FeatureFilter Predicate()
    {
        var start = _lexer.Peek();
        var left = Scalar();
        var token = _lexer.Next();
        if (token.Kind == Cql2TokenKind.Symbol && Comparison(token.Text) is { } op)
            return new Comparison(Unwrap(left), op, Unwrap(Scalar()));
        var negated = token.Is("NOT");
        if (negated) token = _lexer.Next();
        FeatureFilter filter;
        if (token.Is("LIKE") || token.Is("ILIKE"))
        {
            var patternToken = _lexer.Peek();
            var pattern = Scalar();
            if (Unwrap(pattern) is not Literal { Value: string text })
                throw new Cql2Exception($"LIKE needs a text pattern such as '%road%' at position {patternToken.Start + 1}", patternToken.Start + 1);
            var ignoreCase = token.Is("ILIKE") || left is CaseInsensitive || pattern is CaseInsensitive;
            filter = new Like(left is CaseInsensitive c ? c.Inner : Unwrap(left), text, ignoreCase);
        }
        else if (token.Is("BETWEEN"))
        {
            var low = Unwrap(Scalar());
            var and = _lexer.Next();
            if (!and.Is("AND")) throw Unexpected(and, "AND (BETWEEN low AND high)");
            var high = Unwrap(Scalar());
            filter = new AllOf([new Comparison(Unwrap(left), ComparisonOperator.GreaterOrEqual, low), new Comparison(Unwrap(left), ComparisonOperator.LessOrEqual, high)]);
        }
        else if (token.Is("IN"))
        {
            Expect("(");
            var values = new List<Literal>();
            do
            {
                var at = _lexer.Peek();
                values.Add(Unwrap(Scalar()) as Literal ?? throw new Cql2Exception($"IN lists hold literal values only; position {at.Start + 1}", at.Start + 1));
            }
            while (Accept(","));
            Expect(")");
            filter = new In(Unwrap(left), values);
        }
        else if (token.Is("IS") && !negated)
        {
            var not = _lexer.Peek().Is("NOT");
            if (not) _lexer.Next();
            var nullToken = _lexer.Next();
            if (!nullToken.Is("NULL")) throw Unexpected(nullToken, "NULL (IS [NOT] NULL)");
            return not ? new Not(new IsNull(Unwrap(left))) : new IsNull(Unwrap(left));
        }
        else
        {
            throw Unexpected(token, negated ? "LIKE, BETWEEN or IN after NOT" : $"a comparison (=, <>, <, <=, >, >=, LIKE, BETWEEN, IN, IS NULL) after {start.Describe()}");
        }
        return negated ? new Not(filter) : filter;
    }

    /// <summary>CASEI(x) marks its operand for a case-insensitive comparison; it compares lower-cased.</summary>
    private sealed record CaseInsensitive(Operand Inner) : Operand;

    private static Operand Unwrap(Operand operand) => operand switch
    {
        CaseInsensitive { Inner: Literal { Value: string text } } => new Literal(text.ToLowerInvariant()),
        CaseInsensitive c => new Lower(c.Inner),
        _ => operand,
    };

    private Operand Scalar()
    {
        var token = _lexer.Next();
        switch (token.Kind)
        {
            case Cql2TokenKind.Text:
                return new Literal(token.Text);
            case Cql2TokenKind.Number:
                return new Literal(Number(token.Text, token));
            case Cql2TokenKind.Symbol when token.Text is "-" or "+":
                var number = _lexer.Next();
                if (number.Kind != Cql2TokenKind.Number) throw Unexpected(number, "a number after the sign");
                return new Literal(Number(token.Text + number.Text, number));
            case Cql2TokenKind.QuotedName:
                return Property(token);
            case Cql2TokenKind.Word:
                if (token.Is("TRUE") || token.Is("FALSE")) return new Literal(token.Is("TRUE"));
                if (After(token).IsSymbol("("))
                {
                    if (token.Is("CASEI"))
                    {
                        Expect("(");
                        Deeper(token);
                        var inner = Scalar();
                        _depth--;
                        Expect(")");
                        return new CaseInsensitive(Unwrap(inner));
                    }
                    if (token.Is("DATE") || token.Is("TIMESTAMP"))
                    {
                        Expect("(");
                        var value = _lexer.Next();
                        if (value.Kind != Cql2TokenKind.Text) throw Unexpected(value, $"a quoted {token.Text.ToUpperInvariant()} such as '2024-01-31'");
                        Expect(")");
                        return new Literal(Time(token, value));
                    }
                    throw new Cql2Exception($"unknown function '{token.Text}' at position {token.Start + 1}; this server supports CASEI, DATE, TIMESTAMP and the S_ spatial functions", token.Start + 1);
                }
                return Property(token);
            default:
                throw Unexpected(token, "a property name or a value");
        }
    }

    private Field Property(Cql2Token token)
    {
        if (token.Text == GeometryProperty)
            throw new Cql2Exception($"the geometry property can only be used in a spatial function such as S_INTERSECTS (position {token.Start + 1})", token.Start + 1);
        if (!properties.Contains(token.Text))
            throw new Cql2Exception($"unknown property '{token.Text}' at position {token.Start + 1}; the queryables are: {string.Join(", ", properties.Append(GeometryProperty))}", token.Start + 1);
        return new Field(token.Text);
    }

    private FeatureFilter SpatialPredicate(SpatialOperator op)
    {
        _lexer.Next();
        Expect("(");
        var first = SpatialArgument();
        Expect(",");
        var second = SpatialArgument();
        Expect(")");
        return (first, second) switch
        {
            (null, Geometry g) => new Spatial(op, g),
            (Geometry g, null) => new Spatial(op switch
            {
                SpatialOperator.Within => SpatialOperator.Contains,
                SpatialOperator.Contains => SpatialOperator.Within,
                _ => op,
            }, g),
            _ => throw new Cql2Exception($"a spatial function compares the '{GeometryProperty}' property with a geometry literal (position {_lexer.Offset})", _lexer.Offset),
        };
    }

    /// <summary>Null for the geometry property, else the literal geometry in EPSG:4326-ordered lon/lat or the filter CRS.</summary>
    private Geometry? SpatialArgument()
    {
        var token = _lexer.Peek();
        if (token.Kind is Cql2TokenKind.Word or Cql2TokenKind.QuotedName && token.Text == GeometryProperty)
        {
            _lexer.Next();
            return null;
        }
        if (token.Is("BBOX")) return Bbox();
        if (token.Kind == Cql2TokenKind.Word && GeometryWords.Contains(token.Text)) return Wkt(token);
        if (token.Kind is Cql2TokenKind.Word or Cql2TokenKind.QuotedName && token.Text != GeometryProperty)
            throw new Cql2Exception($"'{token.Text}' at position {token.Start + 1} is not a geometry: spatial functions take the '{GeometryProperty}' property, a WKT literal (POINT, LINESTRING, POLYGON, MULTI..., GEOMETRYCOLLECTION) or BBOX(...)", token.Start + 1);
        throw Unexpected(_lexer.Next(), $"the '{GeometryProperty}' property or a geometry literal");
    }

    private Geometry Bbox()
    {
        var word = _lexer.Next();
        Expect("(");
        var numbers = new List<double>();
        do
        {
            var sign = Accept("-") ? -1 : 1;
            var token = _lexer.Next();
            if (token.Kind != Cql2TokenKind.Number) throw Unexpected(token, "a number in BBOX(minx, miny, maxx, maxy)");
            numbers.Add(sign * Convert.ToDouble(Number(token.Text, token), CultureInfo.InvariantCulture));
        }
        while (Accept(","));
        Expect(")");
        double[] box = numbers.Count switch
        {
            4 => [numbers[0], numbers[1], numbers[2], numbers[3]],
            6 => [numbers[0], numbers[1], numbers[3], numbers[4]],
            _ => throw new Cql2Exception($"BBOX at position {word.Start + 1} needs 4 numbers (or 6 with heights), not {numbers.Count}", word.Start + 1),
        };
        var (x0, y0, x1, y1) = latitudeFirst ? (box[1], box[0], box[3], box[2]) : (box[0], box[1], box[2], box[3]);
        var polygon = new GeometryFactory(new PrecisionModel(), srid).ToGeometry(new Envelope(x0, x1, y0, y1));
        polygon.SRID = srid;
        return polygon;
    }

    /// <summary>A WKT literal: the raw text up to its matching parenthesis, read by NetTopologySuite's WKTReader.</summary>
    private Geometry Wkt(Cql2Token word)
    {
        var text = _lexer.Text;
        var i = word.End;
        while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
        var end = i;
        if (string.Compare(text, i, "EMPTY", 0, 5, StringComparison.OrdinalIgnoreCase) == 0) end = i + 5;
        else if (i < text.Length && text[i] == '(')
        {
            var depth = 0;
            for (end = i; end < text.Length; end++)
            {
                if (text[end] == '(') depth++;
                else if (text[end] == ')' && --depth == 0) { end++; break; }
            }
            if (depth != 0) throw new Cql2Exception($"the {word.Text.ToUpperInvariant()} at position {word.Start + 1} is never closed (missing ')')", word.Start + 1);
        }
        else throw new Cql2Exception($"{word.Text.ToUpperInvariant()} at position {word.Start + 1} needs coordinates in parentheses", word.Start + 1);
        Geometry geometry;
        try
        {
            geometry = new WKTReader().Read(text[word.Start..end]);
        }
        catch (Exception e) when (e is ParseException or ArgumentException or FormatException or InvalidOperationException or IndexOutOfRangeException)
        {
            throw new Cql2Exception($"the {word.Text.ToUpperInvariant()} at position {word.Start + 1} is not valid WKT: {e.Message}", word.Start + 1);
        }
        _lexer.Offset = end;
        if (latitudeFirst) geometry.Apply(new SwapXY());
        geometry.SRID = srid;
        return geometry;
    }

    private sealed class SwapXY : IEntireCoordinateSequenceFilter
    {
        public bool Done => false;
        public bool GeometryChanged => true;

        public void Filter(CoordinateSequence seq)
        {
            for (var i = 0; i < seq.Count; i++)
            {
                var x = seq.GetX(i);
                seq.SetX(i, seq.GetY(i));
                seq.SetY(i, x);
            }
        }
    }

    /// <summary>The token after <paramref name="word"/>, without moving on.</summary>
    private Cql2Token After(Cql2Token word)
    {
        var saved = _lexer.Offset;
        _lexer.Offset = word.End;
        var next = _lexer.Peek();
        _lexer.Offset = saved;
        return next;
    }

    private bool IsComparisonNext(Cql2Token token)
    {
        var next = After(token);
        return next.Kind == Cql2TokenKind.Symbol && Comparison(next.Text) is not null || next.Is("IS") || next.Is("IN") || next.Is("NOT");
    }

    private static ComparisonOperator? Comparison(string symbol) => symbol switch
    {
        "=" => ComparisonOperator.Equal,
        "<>" => ComparisonOperator.NotEqual,
        "<" => ComparisonOperator.Less,
        "<=" => ComparisonOperator.LessOrEqual,
        ">" => ComparisonOperator.Greater,
        ">=" => ComparisonOperator.GreaterOrEqual,
        _ => null,
    };

    private static object Number(string text, Cql2Token token)
    {
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)) return integer;
        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) return value;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) return d;
        throw new Cql2Exception($"'{text}' at position {token.Start + 1} is not a number", token.Start + 1);
    }

    private static object Time(Cql2Token function, Cql2Token value)
    {
        if (function.Is("DATE") && DateOnly.TryParseExact(value.Text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
        if (function.Is("TIMESTAMP") && DateTimeOffset.TryParse(value.Text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)) return time;
        throw new Cql2Exception($"'{value.Text}' at position {value.Start + 1} is not a {function.Text.ToUpperInvariant()} (e.g. {(function.Is("DATE") ? "'2024-01-31'" : "'2024-01-31T10:00:00Z'")})", value.Start + 1);
    }

    private void Expect(string symbol)
    {
        var token = _lexer.Next();
        if (!token.IsSymbol(symbol)) throw Unexpected(token, $"'{symbol}'");
    }

    private bool Accept(string symbol)
    {
        if (!_lexer.Peek().IsSymbol(symbol)) return false;
        _lexer.Next();
        return true;
    }

    private static Cql2Exception Unexpected(Cql2Token token, string expected) =>
        new($"syntax error at position {token.Start + 1}: expected {expected}, found {token.Describe()}", token.Start + 1);
}
