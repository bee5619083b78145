using Microsoft.OData.UriParser;
using Microsoft.Spatial;
using NetTopologySuite.IO;
using SpatialReadiness.Core.Features;

namespace SpatialReadiness.Server.OData;

/// <summary>
/// Translates a parsed OData $filter into the shared <see cref="FeatureFilter"/> model, which PostGIS evaluates:
/// comparisons, and/or/not, in, contains/startswith/endswith, tolower/toupper/length, and geo.intersects/geo.distance
/// on Location. <paramref name="property"/> says what a declared property is (a field, the id, the area, a fact of the
/// feature's layer), or null when it cannot be filtered on.
/// </summary>
internal sealed class ODataFilter(Func<string, Operand?> property)
{
    private static readonly WKTReader Wkt = new(new NetTopologySuite.NtsGeometryServices(new NetTopologySuite.Geometries.PrecisionModel(), 4326));

    /// <summary>How deep a $filter may nest (the translation recurses; the URL's length is not a depth limit).</summary>
    public const int MaxDepth = 64;

    private int _depth;

    public FeatureFilter Condition(SingleValueNode node)
    {
        if (++_depth > MaxDepth) throw new ODataFilterException($"$filter nests deeper than {MaxDepth} levels; simplify it.");
        try { return ConditionOf(node); }
        finally { _depth--; }
    }

    private FeatureFilter ConditionOf(SingleValueNode node) => node switch
    {
        ConvertNode convert => Condition(convert.Source),
        BinaryOperatorNode { OperatorKind: BinaryOperatorKind.And } and => new AllOf([Condition(and.Left), Condition(and.Right)]),
        BinaryOperatorNode { OperatorKind: BinaryOperatorKind.Or } or => new AnyOf([Condition(or.Left), Condition(or.Right)]),
        BinaryOperatorNode comparison => new Comparison(Operand(comparison.Left), Comparison(comparison.OperatorKind), Operand(comparison.Right)),
        UnaryOperatorNode { OperatorKind: UnaryOperatorKind.Not } not => new Not(Condition(not.Operand)),
        InNode { Right: CollectionConstantNode list } @in => new In(Operand(@in.Left), list.Collection.Select(c => new Literal(Value(c.Value))).ToList()),
        SingleValueFunctionCallNode call => Function(call),
        ConstantNode { Value: bool value } => value ? new AllOf([]) : new AnyOf([]),
        SingleValuePropertyAccessNode or SingleValueOpenPropertyAccessNode => new Comparison(Operand(node), ComparisonOperator.Equal, new Literal(true)),
        _ => throw Unsupported(node.Kind.ToString()),
    };

    /// <summary>
    /// $search: each term matches a row when any of <paramref name="textFields"/> contains it, ignoring case; terms
    /// combine with AND (also implied between words), OR and NOT as OData defines.
    /// </summary>
    public static FeatureFilter Search(SingleValueNode node, IReadOnlyList<string> textFields) => node switch
    {
        SearchTermNode term => new AnyOf(textFields.Select(f => (FeatureFilter)new Like(new Field(f), "%" + Escape(term.Text) + "%", IgnoreCase: true)).ToList()),
        BinaryOperatorNode { OperatorKind: BinaryOperatorKind.And } and => new AllOf([Search(and.Left, textFields), Search(and.Right, textFields)]),
        BinaryOperatorNode { OperatorKind: BinaryOperatorKind.Or } or => new AnyOf([Search(or.Left, textFields), Search(or.Right, textFields)]),
        UnaryOperatorNode { OperatorKind: UnaryOperatorKind.Not } not => new Not(Search(not.Operand, textFields)),
        _ => throw new ODataFilterException($"$search: {node.Kind} is not supported; use words, \"phrases\", AND, OR and NOT."),
    };

    private FeatureFilter Function(SingleValueFunctionCallNode call)
    {
        var arguments = call.Parameters.OfType<SingleValueNode>().ToList();
        return call.Name switch
        {
            "contains" => new Like(Operand(arguments[0]), "%" + Escape(Text(arguments[1])) + "%"),
            "startswith" => new Like(Operand(arguments[0]), Escape(Text(arguments[1])) + "%"),
            "endswith" => new Like(Operand(arguments[0]), "%" + Escape(Text(arguments[1]))),
            "geo.intersects" when arguments.Count == 2 => new Spatial(SpatialOperator.Intersects, Geometry(arguments[0] is ConstantNode ? arguments[0] : arguments[1]), OfLocation: true),
            _ => throw Unsupported($"the function {call.Name} in a condition"),
        };
    }

    private Operand Operand(SingleValueNode node)
    {
        if (++_depth > MaxDepth) throw new ODataFilterException($"$filter nests deeper than {MaxDepth} levels; simplify it.");
        try { return OperandOf(node); }
        finally { _depth--; }
    }

    private Operand OperandOf(SingleValueNode node) => node switch
    {
        ConvertNode convert => Operand(convert.Source),
        ConstantNode constant => new Literal(Value(constant.Value)),
        SingleValuePropertyAccessNode access => property(access.Property.Name)
            ?? throw new ODataFilterException($"{access.Property.Name} cannot be used in $filter."),
        SingleValueOpenPropertyAccessNode open => new Field(open.Name),
        SingleValueFunctionCallNode { Name: "tolower" } call => new Lower(Operand((SingleValueNode)call.Parameters.First())),
        SingleValueFunctionCallNode { Name: "toupper" } call => new Upper(Operand((SingleValueNode)call.Parameters.First())),
        SingleValueFunctionCallNode { Name: "length" } call => new TextLength(Operand((SingleValueNode)call.Parameters.First())),
        SingleValueFunctionCallNode { Name: "geo.distance" } call =>
            new DistanceTo(Geometry(call.Parameters.OfType<ConstantNode>().FirstOrDefault() ?? throw Unsupported("geo.distance between two properties")), FromLocation: true),
        _ => throw Unsupported(node is SingleValueFunctionCallNode f ? $"the function {f.Name}" : node.Kind.ToString()),
    };

    private static string Text(SingleValueNode node) => node is ConstantNode { Value: string text } ? text
        : node is ConvertNode convert ? Text(convert.Source)
        : throw Unsupported("a text function whose second argument is not a string literal");

    /// <summary>An OData geography/geometry literal as a NetTopologySuite geometry in EPSG:4326 (OData writes longitude first).</summary>
    private static NetTopologySuite.Geometries.Geometry Geometry(SingleValueNode node)
    {
        var value = node switch
        {
            ConvertNode { Source: ConstantNode constant } => constant.Value,
            ConstantNode constant => constant.Value,
            _ => throw Unsupported("a spatial function without a geography literal"),
        };
        var text = value switch
        {
            Geography geography => WellKnownTextSqlFormatter.Create().Write(geography),
            Microsoft.Spatial.Geometry geometry => WellKnownTextSqlFormatter.Create().Write(geometry),
            _ => throw Unsupported("a spatial function without a geography literal"),
        };
        var wkt = text.Contains(';') ? text[(text.IndexOf(';') + 1)..] : text;
        try
        {
            var parsed = Wkt.Read(wkt);
            parsed.SRID = 4326;
            return parsed;
        }
        catch (Exception e) when (e is ParseException or ArgumentException or FormatException)
        {
            throw new ODataFilterException($"the geography literal is not valid WKT: {e.Message}");
        }
    }

    // ODL 8 parses a date literal as its own Date type (to become System.DateOnly in ODL 9).
#pragma warning disable CS0618
    private static object? Value(object? value) => value is Microsoft.OData.Edm.Date date ? new DateOnly(date.Year, date.Month, date.Day) : value;
#pragma warning restore CS0618

    private static string Escape(string text) => text.Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_");

    private static ComparisonOperator Comparison(BinaryOperatorKind kind) => kind switch
    {
        BinaryOperatorKind.Equal => ComparisonOperator.Equal,
        BinaryOperatorKind.NotEqual => ComparisonOperator.NotEqual,
        BinaryOperatorKind.LessThan => ComparisonOperator.Less,
        BinaryOperatorKind.LessThanOrEqual => ComparisonOperator.LessOrEqual,
        BinaryOperatorKind.GreaterThan => ComparisonOperator.Greater,
        BinaryOperatorKind.GreaterThanOrEqual => ComparisonOperator.GreaterOrEqual,
        _ => throw Unsupported($"the operator {kind}"),
    };

    private static ODataFilterException Unsupported(string what) =>
        new($"{what} is not supported in $filter here; use eq, ne, lt, le, gt, ge, and, or, not, in, contains, startswith, endswith, tolower, toupper, length, geo.intersects(Location, geography'POLYGON(...)') or geo.distance(Location, geography'POINT(lon lat)') lt metres.");
}

/// <summary>A $filter the server understands but cannot run; becomes a 400 naming what to change.</summary>
public sealed class ODataFilterException(string message) : Exception(message);
