using Npgsql;
using SpatialReadiness.Core.Contributions;

namespace SpatialReadiness.PostGis.Features;

/// <summary>
/// Every version of a feature, newest first: those in feature_versions (each accepted change, its deletion, and the
/// version as imported once something replaced it) and, when it has not been changed since its import, its current row
/// credited to that import.
/// </summary>
public sealed class FeatureHistory(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<FeatureVersion>> ReadAsync(long layerId, long featureId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT v.version, ST_AsGeoJSON(v.geom), v.attributes::text, v.contribution_id, v.created_by, v.organisation, v.created_at
            FROM feature_versions v WHERE v.layer_id = @layer AND v.feature_id = @id
            UNION ALL
            SELECT f.version, ST_AsGeoJSON(f.geom), f.attributes::text, NULL, i.imported_by, i.organisation, i.imported_at
            FROM features f
            CROSS JOIN LATERAL (SELECT imported_by, organisation, imported_at FROM layer_versions
                                WHERE layer_id = @layer AND change = 'import' ORDER BY version DESC LIMIT 1) i
            WHERE f.layer_id = @layer AND f.id = @id
              AND NOT EXISTS (SELECT 1 FROM feature_versions v WHERE v.feature_id = f.id AND v.version = f.version)
            ORDER BY 1 DESC
            """);
        command.Parameters.AddWithValue("layer", layerId);
        command.Parameters.AddWithValue("id", featureId);
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        var versions = new List<FeatureVersion>();
        while (await r.ReadAsync(cancellationToken))
            versions.Add(new FeatureVersion(featureId, new FeatureState(r.GetInt32(0), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2)),
                r.IsDBNull(3) ? null : r.GetInt64(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), r.GetFieldValue<DateTimeOffset>(6)));
        return versions;
    }
}
