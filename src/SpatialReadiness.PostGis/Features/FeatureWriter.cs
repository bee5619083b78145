using Npgsql;
using NpgsqlTypes;
using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.PostGis.Features;

/// <summary>
/// The one way features change after an import: an accepted contribution's changes applied inside the acceptance's
/// transaction, which holds the layer row's lock (as imports do). Each changed feature gets a new version, kept in
/// feature_versions with who made it and through which contribution (the version it replaced, if it was as imported,
/// is kept first); the layer's feature count, extent, invalid count and field list stay true; the layer gets a new
/// version whose provenance is the contribution; and layer_changed is sent, so every server drops the layer's tiles.
/// Also reads a feature's tag (ETag) and version. The tag is an md5 of the attributes this view serves and the
/// geometry: withheld values never shape it, so it cannot be used to guess them.
/// </summary>
public sealed class FeatureWriter(NpgsqlDataSource dataSource)
{
    private const string Tag = "md5((f.attributes - @withheld)::text || coalesce(encode(ST_AsEWKB(f.geom), 'hex'), ''))";

    /// <summary>The feature's tag and version as <paramref name="layer"/>'s view sees it, or null when there is no such feature.</summary>
    public async Task<(string Tag, int Version)?> CurrentAsync(LayerInfo layer, long id, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Tag}, f.version FROM features f WHERE f.layer_id = @layer AND f.id = @id");
        command.Parameters.AddWithValue("layer", layer.Id);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.Add(new NpgsqlParameter("withheld", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = layer.WithheldFields.ToArray() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), reader.GetInt32(1)) : null;
    }

    /// <summary>Who the versions an acceptance makes are credited to, and the provenance of the layer version it makes.</summary>
    internal sealed record Credit(string Author, string? Organisation, string Source, string SourceSha256, long SourceBytes);

    /// <summary>
    /// Applies contribution <paramref name="contributionId"/>'s changes (already checked against the current versions)
    /// to layer <paramref name="layerId"/>, whose row the caller has locked. Records each new version and returns the
    /// layer's new version. The caller commits.
    /// </summary>
    internal static async Task<int> ApplyAsync(NpgsqlConnection connection, long layerId, string city, long contributionId, Credit credit, CancellationToken cancellationToken)
    {
        var parameters = new (string, object)[] { ("layer", layerId), ("c", contributionId), ("by", credit.Author), ("org", (object?)credit.Organisation ?? DBNull.Value) };
        var invalidBefore = await ScalarAsync<long>(connection, InvalidTouched, cancellationToken, parameters);
        await ExecuteAsync(connection, KeepImportedVersions, cancellationToken, parameters);
        var deleted = await ScalarAsync<long>(connection, Delete, cancellationToken, parameters);
        await ExecuteAsync(connection, Modify, cancellationToken, parameters);
        var restored = await ScalarAsync<long>(connection, Restore, cancellationToken, parameters);
        var created = await ScalarAsync<long>(connection, Create, cancellationToken, parameters);
        var invalidAfter = await ScalarAsync<long>(connection, InvalidTouched, cancellationToken, parameters);

        var version = await ScalarAsync<int>(connection, UpdateLayer, cancellationToken, [.. parameters,
            ("added", created + restored - deleted), ("invalid", invalidAfter - invalidBefore),
            ("source", credit.Source), ("sha", credit.SourceSha256), ("bytes", credit.SourceBytes)]);
        // Delivered at COMMIT to every listening server (the tile caches drop the layer), as imports do.
        await ExecuteAsync(connection, "SELECT pg_notify('layer_changed', @layer::text || ' ' || @city)", cancellationToken, ("layer", layerId), ("city", city));
        return version;
    }

    // Features the contribution touches that exist now and are invalid: counted before and after to keep invalid_count true.
    private const string InvalidTouched = """
        SELECT count(*) FROM features f
        WHERE f.layer_id = @layer AND f.id IN (SELECT feature_id FROM contribution_changes WHERE contribution_id = @c)
          AND f.geom IS NOT NULL AND NOT ST_IsValid(f.geom)
        """;

    // A version as imported lives in features only; before it is replaced it joins the history, credited to its import.
    private const string KeepImportedVersions = """
        INSERT INTO feature_versions (layer_id, feature_id, version, attributes, geom, contribution_id, created_by, organisation, created_at)
        SELECT f.layer_id, f.id, f.version, f.attributes, f.geom, NULL, i.imported_by, i.organisation, i.imported_at
        FROM features f
        JOIN contribution_changes c ON c.contribution_id = @c AND c.feature_id = f.id
        CROSS JOIN LATERAL (SELECT imported_by, organisation, imported_at FROM layer_versions
                            WHERE layer_id = @layer AND change = 'import' ORDER BY version DESC LIMIT 1) i
        WHERE f.layer_id = @layer
        ON CONFLICT (feature_id, version) DO NOTHING
        """;

    private const string Delete = """
        WITH gone AS (
            DELETE FROM features f USING contribution_changes c
            WHERE c.contribution_id = @c AND c.action = 'delete' AND f.layer_id = @layer AND f.id = c.feature_id
            RETURNING f.id, f.version + 1 AS version
        ),
        kept AS (
            INSERT INTO feature_versions (layer_id, feature_id, version, deleted, contribution_id, created_by, organisation, created_at)
            SELECT @layer, id, version, true, @c, @by, @org, now() FROM gone
        ),
        noted AS (
            UPDATE contribution_changes c SET version = gone.version FROM gone WHERE c.contribution_id = @c AND c.feature_id = gone.id
        )
        SELECT count(*) FROM gone
        """;

    private const string Modify = """
        WITH changed AS (
            UPDATE features f SET attributes = c.attributes, geom = c.geom, version = f.version + 1
            FROM contribution_changes c
            WHERE c.contribution_id = @c AND c.action = 'modify' AND f.layer_id = @layer AND f.id = c.feature_id
            RETURNING f.id, f.version, f.attributes, f.geom
        ),
        kept AS (
            INSERT INTO feature_versions (layer_id, feature_id, version, attributes, geom, contribution_id, created_by, organisation, created_at)
            SELECT @layer, id, version, attributes, geom, @c, @by, @org, now() FROM changed
        )
        UPDATE contribution_changes c SET version = changed.version FROM changed WHERE c.contribution_id = @c AND c.feature_id = changed.id
        """;

    // A modify whose base is a deletion brings the feature back under its own id.
    private const string Restore = """
        WITH top AS (SELECT coalesce(max(ordinal), 0) AS ordinal FROM features WHERE layer_id = @layer),
        back AS (
            INSERT INTO features (id, layer_id, ordinal, attributes, geom, version)
            SELECT c.feature_id, @layer, top.ordinal + c.ordinal, c.attributes, c.geom, c.base_version + 1
            FROM contribution_changes c, top
            WHERE c.contribution_id = @c AND c.action = 'modify' AND c.version IS NULL
            RETURNING id, version, attributes, geom
        ),
        kept AS (
            INSERT INTO feature_versions (layer_id, feature_id, version, attributes, geom, contribution_id, created_by, organisation, created_at)
            SELECT @layer, id, version, attributes, geom, @c, @by, @org, now() FROM back
        ),
        noted AS (
            UPDATE contribution_changes c SET version = back.version FROM back WHERE c.contribution_id = @c AND c.feature_id = back.id
        )
        SELECT count(*) FROM back
        """;

    private const string Create = """
        WITH top AS (SELECT coalesce(max(ordinal), 0) AS ordinal FROM features WHERE layer_id = @layer),
        made AS (
            INSERT INTO features (layer_id, ordinal, attributes, geom, version)
            SELECT @layer, top.ordinal + c.ordinal, c.attributes, c.geom, 1
            FROM contribution_changes c, top
            WHERE c.contribution_id = @c AND c.action = 'create'
            RETURNING id, ordinal, attributes, geom
        ),
        kept AS (
            INSERT INTO feature_versions (layer_id, feature_id, version, attributes, geom, contribution_id, created_by, organisation, created_at)
            SELECT @layer, id, 1, attributes, geom, @c, @by, @org, now() FROM made
        ),
        noted AS (
            UPDATE contribution_changes c SET feature_id = made.id, version = 1 FROM made, top
            WHERE c.contribution_id = @c AND c.action = 'create' AND c.ordinal = made.ordinal - top.ordinal
        )
        SELECT count(*) FROM made
        """;

    private const string UpdateLayer = """
        WITH touched AS (
            SELECT f.attributes, f.geom FROM features f
            WHERE f.layer_id = @layer AND f.id IN (SELECT feature_id FROM contribution_changes WHERE contribution_id = @c)
        ),
        e AS (SELECT ST_XMin(x) AS min_lon, ST_YMin(x) AS min_lat, ST_XMax(x) AS max_lon, ST_YMax(x) AS max_lat FROM (SELECT ST_Extent(geom) AS x FROM touched) t),
        layer AS (
            UPDATE layers l SET
                version = l.version + 1,
                feature_count = l.feature_count + @added,
                invalid_count = greatest(l.invalid_count + @invalid, 0),
                fields = l.fields || ARRAY(SELECT DISTINCT k FROM touched, jsonb_object_keys(touched.attributes) k WHERE k <> ALL(l.fields) ORDER BY k),
                min_lon = least(l.min_lon, e.min_lon), min_lat = least(l.min_lat, e.min_lat),
                max_lon = greatest(l.max_lon, e.max_lon), max_lat = greatest(l.max_lat, e.max_lat),
                updated_at = now()
            FROM e WHERE l.id = @layer
            RETURNING l.id, l.version, l.licence, l.feature_count
        ),
        history AS (
            INSERT INTO layer_versions (layer_id, version, licence, source_file, source_sha256, source_bytes, format, crs_received,
                                        feature_count, imported_by, organisation, change)
            SELECT id, version, licence, @source, @sha, @bytes, 'contribution', 'EPSG:4326', feature_count, @by, @org, 'edit' FROM layer
        )
        SELECT version FROM layer
        """;

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
            command.Parameters.Add(value is DBNull ? new NpgsqlParameter(name, NpgsqlDbType.Text) { Value = value } : new NpgsqlParameter(name, value));
        return command;
    }
}
