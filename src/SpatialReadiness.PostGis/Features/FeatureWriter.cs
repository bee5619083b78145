using System.Security.Cryptography;
using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;
using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.PostGis.Features;

/// <summary>Who made one write and what they sent: kept as the provenance of the layer version the write makes.</summary>
public sealed record FeatureEdit(string By, string Operation, string CrsReceived, byte[] Body);

public enum WriteOutcome { Done, NotFound, PreconditionFailed }

/// <summary>What a write did; <see cref="ETag"/> is the feature's tag afterwards (null once deleted).</summary>
public sealed record WriteResult(WriteOutcome Outcome, long Id, string? ETag);

/// <summary>
/// Creates, replaces, updates and deletes single features of a layer (OGC API - Features Part 4). Each write is one
/// transaction holding the layer row's lock (as imports do): it checks If-Match when given, changes the feature, keeps
/// the layer's feature count, extent, invalid count and field list true, makes a new layer version with the edit's
/// provenance, and sends layer_changed so every server drops the layer's tiles. Geometry arrives validated, in EPSG:4326.
/// The tag is an md5 of the public attributes and the geometry: sensitive values never shape it, so it cannot be used
/// to guess them.
/// </summary>
public sealed class FeatureWriter(NpgsqlDataSource dataSource)
{
    private const string Tag = "md5((f.attributes - @sensitive)::text || coalesce(encode(ST_AsEWKB(f.geom), 'hex'), ''))";

    public async Task<string?> ETagAsync(LayerInfo layer, long id, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Tag} FROM features f WHERE f.layer_id = @layer AND f.id = @id");
        AddKey(command, layer, id);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public Task<WriteResult> CreateAsync(LayerInfo layer, string attributesJson, Geometry geometry, FeatureEdit edit, CancellationToken cancellationToken = default) =>
        WriteAsync(layer, null, null, edit, async (connection, transaction) =>
        {
            await using var command = new NpgsqlCommand($"""
                INSERT INTO features AS f (layer_id, ordinal, attributes, geom)
                VALUES (@layer, (SELECT coalesce(max(ordinal), 0) + 1 FROM features WHERE layer_id = @layer), @attributes, @geom)
                RETURNING f.id, {Tag}, ST_IsValid(f.geom)
                """, connection, transaction);
            AddKey(command, layer, 0);
            command.Parameters.Add(new NpgsqlParameter("attributes", NpgsqlDbType.Jsonb) { Value = attributesJson });
            command.Parameters.Add(new NpgsqlParameter("geom", geometry));
            return await Changed(command, cancellationToken, added: 1, wasInvalid: false);
        }, cancellationToken);

    /// <summary>Replaces the attributes and geometry; sensitive fields the body does not name keep their values (clients never see them).</summary>
    public Task<WriteResult> ReplaceAsync(LayerInfo layer, long id, string attributesJson, Geometry geometry, string? ifMatch, FeatureEdit edit, CancellationToken cancellationToken = default) =>
        WriteAsync(layer, id, ifMatch, edit, async (connection, transaction) =>
        {
            await using var command = new NpgsqlCommand($"""
                WITH old AS (SELECT NOT coalesce(ST_IsValid(geom), true) AS invalid FROM features WHERE layer_id = @layer AND id = @id)
                UPDATE features f SET
                    attributes = (f.attributes - ARRAY(SELECT k FROM jsonb_object_keys(f.attributes) k WHERE k <> ALL(@sensitive))) || @attributes,
                    geom = @geom
                WHERE f.layer_id = @layer AND f.id = @id
                RETURNING f.id, {Tag}, ST_IsValid(f.geom), (SELECT invalid FROM old)
                """, connection, transaction);
            AddKey(command, layer, id);
            command.Parameters.Add(new NpgsqlParameter("attributes", NpgsqlDbType.Jsonb) { Value = attributesJson });
            command.Parameters.Add(new NpgsqlParameter("geom", geometry));
            return await Changed(command, cancellationToken, added: 0, wasInvalid: null);
        }, cancellationToken);

    /// <summary>JSON merge patch of the attributes (<paramref name="removed"/>: the members set to null) and, when given, a new geometry.</summary>
    public Task<WriteResult> PatchAsync(LayerInfo layer, long id, string propertiesPatch, IReadOnlyList<string> removed, Geometry? geometry, string? ifMatch, FeatureEdit edit, CancellationToken cancellationToken = default) =>
        WriteAsync(layer, id, ifMatch, edit, async (connection, transaction) =>
        {
            await using var command = new NpgsqlCommand($"""
                WITH old AS (SELECT NOT coalesce(ST_IsValid(geom), true) AS invalid FROM features WHERE layer_id = @layer AND id = @id)
                UPDATE features f SET
                    attributes = (f.attributes || @patch) - @removed,
                    geom = coalesce(@geom, f.geom)
                WHERE f.layer_id = @layer AND f.id = @id
                RETURNING f.id, {Tag}, ST_IsValid(f.geom), (SELECT invalid FROM old)
                """, connection, transaction);
            AddKey(command, layer, id);
            command.Parameters.Add(new NpgsqlParameter("patch", NpgsqlDbType.Jsonb) { Value = propertiesPatch });
            command.Parameters.Add(new NpgsqlParameter("removed", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = removed.ToArray() });
            command.Parameters.Add(geometry is null
                ? new NpgsqlParameter("geom", NpgsqlDbType.Geometry) { Value = DBNull.Value }
                : new NpgsqlParameter("geom", geometry));
            return await Changed(command, cancellationToken, added: 0, wasInvalid: null);
        }, cancellationToken);

    public Task<WriteResult> DeleteAsync(LayerInfo layer, long id, string? ifMatch, FeatureEdit edit, CancellationToken cancellationToken = default) =>
        WriteAsync(layer, id, ifMatch, edit, async (connection, transaction) =>
        {
            await using var command = new NpgsqlCommand("""
                DELETE FROM features f WHERE f.layer_id = @layer AND f.id = @id
                RETURNING f.id, NULL::text, true, NOT coalesce(ST_IsValid(f.geom), true)
                """, connection, transaction);
            AddKey(command, layer, id);
            return await Changed(command, cancellationToken, added: -1, wasInvalid: null);
        }, cancellationToken);

    private sealed record Change(long Added, int Invalid);

    private sealed record Row(long Id, string? ETag, Change Change);

    /// <summary>Runs the statement, which returns (id, tag, valid now, was invalid before); null when no row matched.</summary>
    private static async Task<Row?> Changed(NpgsqlCommand command, CancellationToken cancellationToken, long added, bool? wasInvalid)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        var validNow = reader.IsDBNull(2) || reader.GetBoolean(2);
        var before = wasInvalid ?? (reader.FieldCount > 3 && !reader.IsDBNull(3) && reader.GetBoolean(3));
        var invalid = (validNow ? 0 : 1) - (before ? 1 : 0);
        return new Row(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1), new Change(added, invalid));
    }

    private async Task<WriteResult> WriteAsync(LayerInfo layer, long? id, string? ifMatch, FeatureEdit edit,
        Func<NpgsqlConnection, NpgsqlTransaction, Task<Row?>> write, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await Execute(connection, transaction, "SET LOCAL client_min_messages = warning", cancellationToken);
        int version;
        await using (var lockLayer = new NpgsqlCommand("SELECT version FROM layers WHERE id = @layer FOR UPDATE", connection, transaction))
        {
            lockLayer.Parameters.AddWithValue("layer", layer.Id);
            if (await lockLayer.ExecuteScalarAsync(cancellationToken) is not int current) return new WriteResult(WriteOutcome.NotFound, id ?? 0, null);
            version = current + 1;
        }
        if (id is { } existing)
        {
            await using var current = new NpgsqlCommand($"SELECT {Tag} FROM features f WHERE f.layer_id = @layer AND f.id = @id FOR UPDATE", connection, transaction);
            AddKey(current, layer, existing);
            if (await current.ExecuteScalarAsync(cancellationToken) is not string tag) return new WriteResult(WriteOutcome.NotFound, existing, null);
            if (ifMatch is not null && !Matches(ifMatch, tag)) return new WriteResult(WriteOutcome.PreconditionFailed, existing, tag);
        }
        var row = await write(connection, transaction);
        if (row is null) return new WriteResult(WriteOutcome.NotFound, id ?? 0, null);
        await using (var update = new NpgsqlCommand("""
            UPDATE layers l SET
                version = @version,
                feature_count = l.feature_count + @added,
                invalid_count = greatest(l.invalid_count + @invalid, 0),
                fields = l.fields || ARRAY(SELECT k FROM features f, jsonb_object_keys(f.attributes) k
                                           WHERE f.layer_id = l.id AND f.id = @id AND k <> ALL(l.fields) ORDER BY k),
                min_lon = least(l.min_lon, e.min_lon), min_lat = least(l.min_lat, e.min_lat),
                max_lon = greatest(l.max_lon, e.max_lon), max_lat = greatest(l.max_lat, e.max_lat),
                updated_at = now()
            FROM (SELECT ST_XMin(geom) AS min_lon, ST_YMin(geom) AS min_lat, ST_XMax(geom) AS max_lon, ST_YMax(geom) AS max_lat
                  FROM features WHERE layer_id = @layer AND id = @id
                  UNION ALL SELECT NULL, NULL, NULL, NULL LIMIT 1) e
            WHERE l.id = @layer
            """, connection, transaction))
        {
            update.Parameters.AddWithValue("layer", layer.Id);
            update.Parameters.AddWithValue("id", row.Id);
            update.Parameters.AddWithValue("version", version);
            update.Parameters.AddWithValue("added", row.Change.Added);
            update.Parameters.AddWithValue("invalid", (long)row.Change.Invalid);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var history = new NpgsqlCommand("""
            INSERT INTO layer_versions (layer_id, version, licence, source_file, source_sha256, source_bytes, format, crs_received,
                                        feature_count, imported_by, organisation)
            SELECT l.id, l.version, l.licence, @file, @sha, @bytes, 'OGC API - Features', @crs, l.feature_count, @by, NULL
            FROM layers l WHERE l.id = @layer
            """, connection, transaction))
        {
            history.Parameters.AddWithValue("layer", layer.Id);
            history.Parameters.AddWithValue("file", $"{edit.Operation} feature {row.Id}");
            history.Parameters.AddWithValue("sha", Convert.ToHexStringLower(SHA256.HashData(edit.Body)));
            history.Parameters.AddWithValue("bytes", (long)edit.Body.Length);
            history.Parameters.AddWithValue("crs", edit.CrsReceived);
            history.Parameters.AddWithValue("by", edit.By);
            await history.ExecuteNonQueryAsync(cancellationToken);
        }
        // Delivered at COMMIT to every listening server (the tile caches drop the layer), as imports do.
        await Execute(connection, transaction, $"SELECT pg_notify('layer_changed', '{layer.Id} ' || @city)", cancellationToken, ("city", layer.City));
        await transaction.CommitAsync(cancellationToken);
        return new WriteResult(WriteOutcome.Done, row.Id, row.ETag);
    }

    /// <summary>If-Match: "*" or a list of entity tags, weak (W/) ones included, compared by value.</summary>
    private static bool Matches(string ifMatch, string tag) =>
        ifMatch.Split(',').Select(t => t.Trim()).Any(t => t == "*" || t.TrimStart('W', '/').Trim('"') == tag);

    private static void AddKey(NpgsqlCommand command, LayerInfo layer, long id)
    {
        command.Parameters.AddWithValue("layer", layer.Id);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.Add(new NpgsqlParameter("sensitive", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = layer.SensitiveFields.ToArray() });
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
