using System.Globalization;

namespace SpatialReadiness.Server.OData;

/// <summary>What every OData answer shares: the service root, the JSON media type, and key literals.</summary>
internal static class ODataLinks
{
    public const string JsonType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

    public static string Root(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}/odata/";

    /// <summary>A key as OData writes it in a URL: 2, or 'pune' (a quote doubled).</summary>
    public static string KeyLiteral(object? key) => key is string text ? $"'{text.Replace("'", "''")}'" : Convert.ToString(key, CultureInfo.InvariantCulture) ?? "";
}
