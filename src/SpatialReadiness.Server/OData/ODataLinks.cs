using System.Globalization;

namespace SpatialReadiness.Server.OData;

/// <summary>What every OData answer shares: the service root, the JSON media type, key literals and problem answers.</summary>
internal static class ODataLinks
{
    public const string JsonType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

    public static string Root(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}/odata/";

    /// <summary>A key as OData writes it in a URL: 2, or 'pune' (a quote doubled).</summary>
    public static string KeyLiteral(object? key) => key is string text ? $"'{text.Replace("'", "''")}'" : Convert.ToString(key, CultureInfo.InvariantCulture) ?? "";

    public static IResult Problem(int status, string detail) =>
        Results.Problem(statusCode: status, detail: detail,
            title: status switch { 404 => "Not found", 501 => "Not implemented", _ => "Bad OData request" },
            extensions: new Dictionary<string, object?> { ["code"] = status switch { 404 => "NotFound", 501 => "NotImplemented", _ => "Malformed" } });
}
