using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SpatialReadiness.Core.Features;
using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.PostGis.Features;

/// <summary>
/// A filter as one source layer sees it: every <see cref="LayerProperty"/> becomes that layer's value, and a condition
/// on a layer property and constants is decided here, as <see cref="FilterSql"/>'s SQL would decide it. What is left is
/// the row condition; <see cref="False"/> means the layer is not read at all (<see cref="FeatureReader"/>). What cannot
/// be decided exactly in .NET (text order, tolower, ...) stays a condition on bound constants, which PostgreSQL
/// evaluates once per layer, not per row. A NULL (unknown) condition counts as false everywhere in FilterSql's SQL
/// (<c>NOT</c> is <c>NOT COALESCE(x, FALSE)</c>), so two values are enough here.
/// </summary>
internal static class LayerFolding
{
    public static FeatureFilter True { get; } = new AllOf([]);

    public static FeatureFilter False { get; } = new AnyOf([]);

    public static bool IsTrue(FeatureFilter filter) => filter is AllOf { Parts.Count: 0 };

    public static bool IsFalse(FeatureFilter filter) => filter is AnyOf { Parts.Count: 0 };

    public static FeatureFilter ForLayer(FeatureFilter filter, LayerInfo layer) => filter switch
    {
        AllOf all => All(all.Parts.Select(p => ForLayer(p, layer)).ToList()),
        AnyOf any => Any(any.Parts.Select(p => ForLayer(p, layer)).ToList()),
        Not not => ForLayer(not.Inner, layer) switch { var i when IsTrue(i) => False, var i when IsFalse(i) => True, var i => new Not(i) },
        Comparison c => Decided(Compare(c, layer)) ?? new Comparison(Resolve(c.Left, layer), c.Operator, Resolve(c.Right, layer)),
        In @in => Decided(InList(@in, layer)) ?? @in with { Value = Resolve(@in.Value, layer) },
        Like like => Decided(Matches(like, layer)) ?? like with { Value = Resolve(like.Value, layer) },
        IsNull isNull => isNull.Value is LayerProperty ? False : isNull with { Value = Resolve(isNull.Value, layer) },
        _ => filter,
    };

    private static FeatureFilter All(List<FeatureFilter> parts) =>
        parts.Any(IsFalse) ? False : new AllOf(parts.Where(p => !IsTrue(p)).ToList());

    private static FeatureFilter Any(List<FeatureFilter> parts) =>
        parts.Any(IsTrue) ? True : new AnyOf(parts.Where(p => !IsFalse(p)).ToList());

    private static FeatureFilter? Decided(bool? value) => value is { } v ? v ? True : False : null;

    /// <summary>The operand with each layer property replaced by the layer's value.</summary>
    private static Operand Resolve(Operand operand, LayerInfo layer) => operand switch
    {
        LayerProperty p => new Literal(ValueOf(p, layer)),
        Lower lower => new Lower(Resolve(lower.Inner, layer)),
        Upper upper => new Upper(Resolve(upper.Inner, layer)),
        TextLength length => new TextLength(Resolve(length.Inner, layer)),
        _ => operand,
    };

    private static object ValueOf(LayerProperty property, LayerInfo layer) => property.Fact switch
    {
        LayerFact.City => layer.City,
        LayerFact.Layer => layer.Name,
        LayerFact.LayerId => layer.Id,
        _ => layer.Kind,
    };

    /// <summary>
    /// A layer property compared with a literal: FilterSql compares as the literal's type (a NULL literal: only eq and
    /// ne, as IS NULL and IS NOT NULL), so the layer's text with a string, its id with a number. Anything else is null.
    /// </summary>
    private static bool? Compare(Comparison c, LayerInfo layer)
    {
        var (property, literal, op) = (c.Left, c.Right) switch
        {
            (LayerProperty p, Literal l) => (p, l, c.Operator),
            (Literal l, LayerProperty p) => (p, l, FilterSql.Mirror(c.Operator)),
            _ => (null, null, c.Operator),
        };
        if (property is null || literal is null) return null;
        if (literal.Value is null) return op == ComparisonOperator.NotEqual;
        var value = ValueOf(property, layer);
        if (value is string text && literal.Value is string other && Storable(other))
            return op switch
            {
                ComparisonOperator.Equal => text == other,
                ComparisonOperator.NotEqual => text != other,
                _ => null, // text order is the database's collation
            };
        if (value is long id && Number(literal.Value) is { } number)
            return op switch
            {
                ComparisonOperator.Equal => id == number,
                ComparisonOperator.NotEqual => id != number,
                ComparisonOperator.Less => id < number,
                ComparisonOperator.LessOrEqual => id <= number,
                ComparisonOperator.Greater => id > number,
                _ => id >= number,
            };
        return null;
    }

    /// <summary>A layer property in a list of literals all of its own type (NULLs in the list never match it).</summary>
    private static bool? InList(In @in, LayerInfo layer)
    {
        if (@in.Value is not LayerProperty property) return null;
        var values = @in.Values.Where(v => v.Value is not null).Select(v => v.Value!).ToList();
        return ValueOf(property, layer) switch
        {
            string text when values.All(v => v is string s && Storable(s)) => values.Contains(text),
            long id when values.All(v => Number(v) is not null) => values.Any(v => Number(v) == id),
            _ => null,
        };
    }

    /// <summary>LIKE on a layer property: '%' any run, '_' one character, '\' escapes the next; ILIKE is left to the database's locale.</summary>
    private static bool? Matches(Like like, LayerInfo layer)
    {
        if (like.Value is not LayerProperty property || like.IgnoreCase || !Storable(like.Pattern)) return null;
        var regex = new StringBuilder("^");
        for (var i = 0; i < like.Pattern.Length; i++)
        {
            var ch = like.Pattern[i];
            if (ch == '\\')
            {
                if (++i == like.Pattern.Length) return null; // FilterSql refuses a pattern ending in its escape
                regex.Append(Regex.Escape(like.Pattern[i].ToString()));
            }
            else regex.Append(ch switch { '%' => ".*", '_' => ".", _ => Regex.Escape(ch.ToString()) });
        }
        var text = Convert.ToString(ValueOf(property, layer), CultureInfo.InvariantCulture)!;
        return Regex.IsMatch(text, regex.Append('$').ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
    }

    /// <summary>Text FilterSql would bind; one with a NUL it refuses (a 400), so it is not decided here.</summary>
    private static bool Storable(string text) => !text.Contains('\0');

    /// <summary>A number literal as FilterSql binds it; one it refuses (infinite, out of range) is not decided here.</summary>
    private static decimal? Number(object? value)
    {
        if (value is not (sbyte or byte or short or int or long or float or double or decimal) || value is double d && !double.IsFinite(d) || value is float f && !float.IsFinite(f))
            return null;
        try { return Convert.ToDecimal(value, CultureInfo.InvariantCulture); }
        catch (OverflowException) { return null; }
    }
}
