using SpatialReadiness.Checks;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.Core.Contributions;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.PostGis.Contributions;
using SpatialReadiness.Server.Tiles;

namespace SpatialReadiness.Server.Contributions;

/// <summary>What every way of contributing shares: the 4.e check on arrival, acceptance that drops the layer's tiles before answering, and the 409 of a conflict.</summary>
public static class Review
{
    /// <summary>Checks a proposal with Checks' rules (the same as a city check's, those that judge single features).</summary>
    public static readonly ContributionStore.ProposalChecker Check = (database, data, ct) => new ProposalCheck(database).RunAsync(data, ct);

    public static async Task<Contribution> AcceptAsync(ContributionStore store, TileCatalog tiles, Contribution contribution, Caller reviewer, string? note, CancellationToken ct)
    {
        try
        {
            return await store.AcceptAsync(contribution.Id, reviewer, note, ct);
        }
        finally
        {
            tiles.Evict(contribution.LayerId, contribution.City); // before the response: the next tile request sees the change
        }
    }

    /// <summary>409 with both versions of each conflicting feature (and the proposal), as the reader may see them; the contribution is kept.</summary>
    public static IResult Conflict(ConflictException e, LayerInfo view) =>
        Problems.Make(StatusCodes.Status409Conflict, "Version conflict", "VersionConflict",
            e.Message + ". Nothing was applied; the contribution is kept (conflicted). Read the current version and propose again.",
            extra: new Dictionary<string, object?>
            {
                ["contribution"] = e.ContributionId,
                ["contributionUrl"] = $"/api/contributions/{e.ContributionId}",
                ["conflicts"] = ContributionJson.Conflicts(e.Conflicts, view),
            });
}
