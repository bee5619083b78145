using SpatialReadiness.Core.Accounts;
using SpatialReadiness.Core.Publishing;
using SpatialReadiness.Core.Readiness;
using SpatialReadiness.PostGis.Accounts;
using SpatialReadiness.PostGis.Layers;
using SpatialReadiness.PostGis.Readiness;
using SpatialReadiness.Server.Auth;

namespace SpatialReadiness.Server.Publishing;

/// <summary>
/// Reads what the public catalogue is made of. The catalogue is a public document, the same for everyone: it lists
/// what an anonymous reader may read (the one access rule, Caller.Anonymous), even when a signed-in caller asks.
/// </summary>
public sealed class CatalogSource(LayerStore layers, AccountStore accounts, CheckRuns runs)
{
    public async Task<CatalogInput> ReadAsync(string? city, CancellationToken cancellationToken)
    {
        var cities = (await layers.ListCitiesAsync(cancellationToken)).Where(c => city is null || c.Id == city).ToList();
        var readable = (await layers.ReadableLayersAsync(Caller.Anonymous, cancellationToken)).Where(l => city is null || l.City == city).ToList();
        var organisations = (await accounts.ListOrganisationsAsync(cancellationToken)).ToDictionary(o => o.Id);
        var scores = new Dictionary<string, ReadinessScore>();
        foreach (var c in cities.Where(c => readable.Any(l => l.City == c.Id)))
            if (await runs.LatestScoreAsync(c.Id, cancellationToken) is { } score) scores[c.Id] = score;
        return new CatalogInput(cities, readable, organisations, scores, DateTimeOffset.UtcNow);
    }

    public static PublishedUrls Urls(HttpRequest request) => new($"{request.Scheme}://{request.Host}{request.PathBase}");

    /// <summary>The catalogue is public and the same for every caller: shared caches may keep it for five minutes.</summary>
    public static void MarkPublic(HttpResponse response)
    {
        response.Headers.CacheControl = "public, max-age=300";
        response.Headers.Vary = "Accept";
    }
}
