using Npgsql;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;
using SpatialReadiness.PostGis.Layers;
using SpatialReadiness.PostGis.Readiness;

namespace SpatialReadiness.PostGis.Contributions;

/// <summary>
/// Runs the 4.e rules on a contribution as it arrives, inside the submission's transaction: a check run row for the
/// findings to hang on, the rules (Checks.ProposalCheck, handed in) against a temporary table named features that holds
/// the proposal and its neighbours and hides the real table, then the findings about proposed features copied to
/// contribution_findings. The run, its findings and the temporary table are gone before the transaction commits.
/// </summary>
internal static class ProposalChecks
{
    public static async Task RunAsync(NpgsqlConnection connection, NpgsqlDataSource progressSource, LayerInfo layer, long contribution, Caller author,
        ContributionStore.ProposalChecker check, CancellationToken cancellationToken)
    {
        var run = Guid.NewGuid();
        await Sql.ExecuteAsync(connection, """
            INSERT INTO check_runs (id, city_id, status, rule_set_version, requested_by) VALUES (@run, @city, 'running', 'proposal', @by)
            """, cancellationToken, ("run", run), ("city", layer.City), ("by", $"contribution {contribution} by {author.Name}"));
        var cityLayers = await LayerStore.ReadLayersAsync(connection, layer.City, cancellationToken);
        await check(new CheckSession(connection, progressSource, run, null),
            new ProposalCheckData(cityLayers, layer, (idField, ct) => StageAsync(connection, layer.Id, contribution, idField, ct)), cancellationToken);
        await Sql.ExecuteAsync(connection, """
            INSERT INTO contribution_findings (contribution_id, ordinal, rule, severity, detail, location, fields, location_from_fields)
            SELECT DISTINCT ON (f.id) @c, c.ordinal, f.rule, f.severity, f.detail, f.location, f.fields, f.location_from_fields
            FROM findings f
            JOIN contribution_changes c ON c.contribution_id = @c AND c.action <> 'delete'
                                       AND coalesce(c.feature_id, -c.ordinal) IN (f.feature_id, f.related_feature_id)
            WHERE f.run_id = @run
            ORDER BY f.id, coalesce(c.feature_id, -c.ordinal) = f.feature_id DESC
            """, cancellationToken, ("c", contribution), ("run", run));
        await Sql.ExecuteAsync(connection, "DROP TABLE IF EXISTS pg_temp.features; DELETE FROM check_runs WHERE id = @run", cancellationToken, ("run", run));
    }

    /// <summary>
    /// The layer as the proposal would make it, around the proposal: the proposed features (a new one under id
    /// -ordinal, a changed one under its own id), the layer's other features within about a kilometre of them, and
    /// those sharing a proposed id. From here on in this transaction, "features" means this table.
    /// </summary>
    private static async Task StageAsync(NpgsqlConnection connection, long layerId, long contribution, string? idField, CancellationToken cancellationToken)
    {
        await Sql.ExecuteAsync(connection, """
            CREATE TEMP TABLE features (LIKE public.features INCLUDING DEFAULTS) ON COMMIT DROP;
            INSERT INTO pg_temp.features (id, layer_id, ordinal, source_id, attributes, geom, version)
            SELECT f.id, f.layer_id, f.ordinal, f.source_id, f.attributes, f.geom, f.version
            FROM public.features f
            WHERE f.layer_id = @layer
              AND NOT EXISTS (SELECT 1 FROM contribution_changes c WHERE c.contribution_id = @c AND c.feature_id = f.id)
              AND (f.geom && (SELECT ST_SetSRID(ST_Expand(ST_Extent(coalesce(c.geom, c.base_geom)), 0.01)::geometry, 4326)
                              FROM contribution_changes c WHERE c.contribution_id = @c)
                   OR @id_field::text IS NOT NULL AND f.attributes ->> @id_field IN
                      (SELECT c.attributes ->> @id_field FROM contribution_changes c WHERE c.contribution_id = @c));
            INSERT INTO pg_temp.features (id, layer_id, ordinal, attributes, geom)
            SELECT coalesce(c.feature_id, -c.ordinal), @layer, c.ordinal, c.attributes, c.geom
            FROM contribution_changes c WHERE c.contribution_id = @c AND c.action <> 'delete';
            CREATE INDEX ON pg_temp.features USING gist (geom);
            ANALYZE pg_temp.features
            """, cancellationToken, ("layer", layerId), ("c", contribution), ("id_field", Sql.Nullable(idField)));
    }
}
