using System.Globalization;

namespace SpatialReadiness.Server.Tests.Security;

/// <summary>
/// Generates hostile query values from one seeded <see cref="Random"/>: random tokens of the CQL2 and OData grammars
/// glued into expressions (some well formed, most not), plus literals chosen to break things: numbers past every
/// range, NUL, unicode, escapes, unbalanced quotes, deep nesting, invalid and out-of-range WKT.
/// </summary>
public sealed class HostileValues(Random random, IReadOnlyList<string> fields)
{
    /// <summary>
    /// How hostile this request is: most of its parts well formed (so what lies behind the parsers is reached too),
    /// some, or most of them hostile.
    /// </summary>
    private readonly double _hostility = new[] { 0.03, 0.15, 0.5 }[random.Next(3)];

    /// <summary>Whether this part of the request is to be hostile.</summary>
    public bool Hostile() => Chance(_hostility);

    public static readonly string[] Numbers =
    [
        "0", "-1", "1", "2147483648", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
        "99999999999999999999999999999999999999", "1e308", "1e309", "-1e400", "1e-400", "1.5", "1.2.3", "0x10", "NaN", "Infinity",
        "-0", "+5", "1e", "１２３", "4294967296", "79228162514264337593543950336", "7.9e28", "1e28",
    ];

    public static readonly string[] Texts =
    [
        "", "'", "\"", "''", "\\", "a\\", "%", "_", "%\\", "\\%", "a\0b", "\0", "😀", "\u202e", "İ", "ß", "Ω", "\ud800", "n/a",
        "Ambedkar Nagar", "S1", "null", "true", "<script>", "' OR '1'='1", "%00", "\r\n", "\t",
    ];

    public static readonly string[] Wkt =
    [
        "POINT(73.85 18.52)", "POINT(200 100)", "POINT(1e400 0)", "POINT(NaN NaN)", "POINT EMPTY", "POINT()", "POINT(1)",
        "LINESTRING(73.8 18.5)", "LINESTRING(73.8 18.5, 73.9 18.6)", "POLYGON((0 0, 1 1, 1 0))", "POLYGON((73.8 18.5, 73.9 18.6, 73.9 18.5, 73.8 18.6, 73.8 18.5))",
        "POLYGON((73.8 18.5, 73.9 18.5, 73.9 18.6, 73.8 18.6, 73.8 18.5))", "GEOMETRYCOLLECTION(POINT(73.85 18.52))", "GEOMETRYCOLLECTION EMPTY",
        "MULTIPOLYGON(((73.8 18.5, 73.9 18.5, 73.9 18.6, 73.8 18.5)))", "MULTIPOINT((73.85 18.52), (73.86 18.53))", "POLYGON((0 0", "POINT(73.85 18.52",
        "GEOMETRYCOLLECTION(GEOMETRYCOLLECTION(POINT(1 1)))", "BBOX(73.8, 18.5, 73.9, 18.6)", "BBOX(1e400, 0, 1, 1)", "BBOX(1,2,3)", "POINT(1e30 1e30)",
        "POINT(20037508 20037508)", "POINT(-1e8 5e7)",
    ];

    private static readonly string[] Plausible =
        ["POINT(73.85 18.52)", "POLYGON((73.8 18.5, 73.9 18.5, 73.9 18.6, 73.8 18.6, 73.8 18.5))", "BBOX(73.8, 18.5, 73.9, 18.6)", "LINESTRING(73.8 18.5, 73.9 18.6)"];

    private static readonly string[] CqlOperators = ["=", "<>", "<", "<=", ">", ">=", "LIKE", "ILIKE", "NOT LIKE", "IN", "BETWEEN", "IS NULL", "IS NOT NULL"];
    private static readonly string[] CqlTokens =
    [
        "AND", "OR", "NOT", "(", ")", ",", "=", "<>", "<", ">", "LIKE", "BETWEEN", "IN", "IS", "NULL", "TRUE", "FALSE", "CASEI(", "DATE(", "TIMESTAMP(",
        "S_INTERSECTS(", "S_WITHIN(", "S_CONTAINS(", "S_CROSSES(", "geometry", "'", "\"", "-", "+", "*", "/", ";", "%", "\\",
    ];
    private static readonly string[] SpatialFunctions = ["S_INTERSECTS", "S_DISJOINT", "S_WITHIN", "S_CONTAINS", "S_TOUCHES", "S_CROSSES", "S_OVERLAPS", "S_EQUALS"];
    private static readonly string[] ODataOperators = ["eq", "ne", "lt", "le", "gt", "ge"];
    private static readonly string[] ODataLiterals =
    [
        "1", "-1", "1e400", "1e308", "12.5m", "99999999999999999999999999999m", "9223372036854775808", "INF", "NaN", "true", "null", "2024-01-31",
        "2024-01-31T10:00:00Z", "'text'", "'it''s'", "'\0'", "'a\\'", "'%_'", "'😀'", "00000000-0000-0000-0000-000000000000", "duration'P1D'",
        "binary'AAE='", "12:00:00", "'unclosed",
    ];
    private static readonly string[] ODataTokens = ["and", "or", "not", "(", ")", "eq", "gt", "contains(", "geo.distance(", "Location", "'", ",", "in", "$it", "/"];

    public T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private bool Chance(double p) => random.NextDouble() < p;

    /// <summary>The value half the time, else null (the parameter left out).</summary>
    public string? Maybe(Func<string> value) => Chance(0.5) ? value() : null;

    public string Field() => !Hostile() ? Pick(fields) : Pick((string[])["id", "geometry", "nosuch", "\"slum name\"", "households.x", "Ω", "a\0"]);

    public string Number() => Chance(0.7) ? Pick(Numbers) : random.Next(-1000, 100000).ToString(CultureInfo.InvariantCulture);

    /// <summary>A limit or offset: mostly one a client would send, so the rest of the request is exercised too.</summary>
    public string Paging() => !Hostile() ? Pick((string[])["1", "2", "5", "10", "100", "10000"]) : Number();

    /// <summary>Mostly a well-formed literal of the fields' own kinds; otherwise a hostile one.</summary>
    public string PlausibleLiteral() => !Hostile()
        ? Pick((string[])["'S1'", "'S2'", "'M1'", "120", "80", "0", "-5", "12.5", "'Ambedkar Nagar'", "'n/a'", "'1'", "TRUE", "'identified'", "DATE('2024-01-31')"])
        : Literal();

    public string Text() => !Hostile() ? Pick((string[])["S1", "M1", "Ambedkar Nagar", "identified", "12"]) : Chance(0.2) ? new string(Pick("a'%\\\0😀".ToCharArray()), random.Next(1, 600)) : Pick(Texts);

    public string Literal() => random.Next(5) switch
    {
        0 or 1 => Number(),
        2 => "'" + Text().Replace("'", Chance(0.5) ? "''" : "'") + "'",
        3 => Pick((string[])["TRUE", "FALSE", "NULL", "DATE('2024-01-31')", "DATE('2024-13-45')", "TIMESTAMP('2024-01-31T10:00:00Z')", "TIMESTAMP('x')"]),
        _ => Pick(Wkt),
    };

    /// <summary>A CQL2 text expression: grammar-shaped to <paramref name="depth"/>, or token soup, or a single hostile value.</summary>
    public string Cql(int depth = 3)
    {
        if (Chance(_hostility / 4)) return string.Join(' ', Enumerable.Range(0, random.Next(1, 12)).Select(_ => Chance(0.6) ? Pick(CqlTokens) : Chance(0.5) ? Field() : Literal()));
        if (Chance(_hostility / 8)) return Deep(random.Next(20, 400), "(", ")", "households > 1");
        if (Chance(_hostility / 8)) return string.Concat(Enumerable.Repeat("NOT ", random.Next(20, 300))) + "households > 1";
        if (depth == 0 || Chance(0.35)) return Predicate();
        return random.Next(4) switch
        {
            0 => $"{Cql(depth - 1)} AND {Cql(depth - 1)}",
            1 => $"{Cql(depth - 1)} OR {Cql(depth - 1)}",
            2 => $"NOT {Cql(depth - 1)}",
            _ => $"({Cql(depth - 1)})",
        };
    }

    private string Predicate()
    {
        if (Chance(0.25)) return $"{Pick(SpatialFunctions)}({(Hostile() ? Field() : "geometry")}, {(Hostile() ? Pick(Wkt) : Pick(Plausible))})";
        var field = Chance(0.15) ? $"CASEI({Field()})" : Field();
        var op = Pick(CqlOperators);
        return op switch
        {
            "IN" => $"{field} IN ({string.Join(", ", Enumerable.Range(0, random.Next(0, 4)).Select(_ => PlausibleLiteral()))})",
            "BETWEEN" => $"{field} BETWEEN {PlausibleLiteral()} AND {PlausibleLiteral()}",
            "IS NULL" or "IS NOT NULL" => $"{field} {op}",
            "LIKE" or "ILIKE" or "NOT LIKE" when !Hostile() => $"{field} {op} '{Pick((string[])["S%", "%Nagar", "_1", "%"])}'",
            _ => Chance(0.1) ? $"{PlausibleLiteral()} {op} {field}" : $"{field} {op} {PlausibleLiteral()}",
        };
    }

    /// <summary>An OData $filter: grammar-shaped, or token soup.</summary>
    public string OData(int depth = 3)
    {
        if (Chance(_hostility / 4)) return string.Join(' ', Enumerable.Range(0, random.Next(1, 10)).Select(_ => Chance(0.5) ? Pick(ODataTokens) : Chance(0.5) ? Field() : Pick(ODataLiterals)));
        if (Chance(_hostility / 8)) return Deep(random.Next(20, 400), "(", ")", "Id gt 0");
        if (Chance(_hostility / 8)) return string.Concat(Enumerable.Repeat("not ", random.Next(50, 300))) + "(Id gt 0)";
        if (depth == 0 || Chance(0.35)) return ODataPredicate();
        return random.Next(4) switch
        {
            0 => $"{OData(depth - 1)} and {OData(depth - 1)}",
            1 => $"{OData(depth - 1)} or {OData(depth - 1)}",
            2 => $"not ({OData(depth - 1)})",
            _ => $"({OData(depth - 1)})",
        };
    }

    private string ODataPredicate()
    {
        var field = Chance(0.8) ? Field() : Pick((string[])["Id", "AreaM2", "City", "Layer", "LayerId", "Kind", "CentroidLon", "Wkt"]);
        var wkt = Hostile() ? Pick(Wkt) : Pick(Plausible[..2]);
        return random.Next(7) switch
        {
            0 => $"contains({field}, {Pick(ODataLiterals)})",
            1 => $"startswith(tolower({field}), '{Text().Replace("'", "''")}')",
            2 => $"geo.intersects(Location, geography'{wkt}')",
            3 => $"geo.distance(Location, geography'{wkt}') {Pick(ODataOperators)} {Pick(ODataLiterals)}",
            4 => $"{field} in ({string.Join(",", Enumerable.Range(0, random.Next(1, 4)).Select(_ => Pick(ODataLiterals)))})",
            5 => $"length({field}) {Pick(ODataOperators)} {Pick(ODataLiterals)}",
            _ => $"{field} {Pick(ODataOperators)} {Pick(ODataLiterals)}",
        };
    }

    private static string Deep(int depth, string open, string close, string inner) =>
        string.Concat(Enumerable.Repeat(open, depth)) + inner + string.Concat(Enumerable.Repeat(close, depth));

    /// <summary>A bbox: four or some other count of numbers, hostile or plausible.</summary>
    public string Bbox() => string.Join(',', Enumerable.Range(0, !Hostile() ? 4 : random.Next(0, 7)).Select(i => Hostile() ? Number() : (i % 2 == 0 ? 73.8 + random.NextDouble() / 5 : 18.5 + random.NextDouble() / 5).ToString(CultureInfo.InvariantCulture)));

    public string Crs() => !Hostile() ? "http://www.opengis.net/def/crs/OGC/1.3/CRS84" : Pick((string[])["http://www.opengis.net/def/crs/OGC/1.3/CRS84", "EPSG:4326", "EPSG:3857", "EPSG:32643", "EPSG:99999", "", "\0", "http://www.opengis.net/def/crs/EPSG/0/" + Number()]);

    public string Datetime() => !Hostile() ? "2024-01-01/.." : Pick((string[])["2024-01-31T00:00:00Z", "2024-01-01/2024-12-31", "../..", "/", "2024-13-45", "9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00-14:00", Text()]);

    public string SortBy() => string.Join(',', Enumerable.Range(0, random.Next(1, 4)).Select(_ => Pick((string[])["", "+", "-", Hostile() ? "--" : ""]) + Field()));
}
