using System.Text.RegularExpressions;
using SpatialReadiness.Server.Auth;

namespace SpatialReadiness.Server.Resilience;

/// <summary>
/// Counts the requests that stream pages of features (OData feeds, OGC API items, layer downloads) against
/// SR_MAX_FEEDS for as long as they stream, anonymous readers against their smaller share (<see cref="WorkLimits"/>).
/// A middleware, not an endpoint filter, because these answers are written after the endpoint returns.
/// </summary>
public sealed partial class FeedLimit(RequestDelegate next, WorkLimits limits)
{
    [GeneratedRegex(@"^/(odata/(?!\$metadata)[^/]+$|ogc/collections/[^/]+/items$|api/layers/\d+/export$)", RegexOptions.IgnoreCase)]
    private static partial Regex Feeds();

    public async Task InvokeAsync(HttpContext http)
    {
        if (!HttpMethods.IsGet(http.Request.Method) || !Feeds().IsMatch(http.Request.Path.Value ?? ""))
        {
            await next(http);
            return;
        }
        var (lease, refusal) = limits.TryEnter(HeavyWork.Feed, http.Caller());
        if (refusal is not null)
        {
            await refusal.ExecuteAsync(http);
            return;
        }
        using (lease) await next(http);
    }
}
