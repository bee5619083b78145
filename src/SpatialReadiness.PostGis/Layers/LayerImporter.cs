using Npgsql;
using NetTopologySuite.Geometries;
using NpgsqlTypes;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.PostGis.Layers;

/// <summary>
/// Loads one layer version in one transaction: binary COPY into a fresh table with no indexes (fast, flat memory),
/// then the whole-layer gates, then the table is attached as the layer's partition (indexes built once, in bulk) and
/// the previous version's partition dropped. Until COMMIT every reader sees the previous version; on any error,
/// cancellation or a dropped connection, PostgreSQL rolls everything back and nothing of the import remains.
/// The tile geometry of lines and polygons is filled after the commit (Tiles/TileGeometryFill), not inside the COPY.
/// </summary>
internal sealed class LayerImporter(NpgsqlDataSource dataSource)
{
    private const int ProgressEvery = 10_000;

    public async Task<(long LayerId, int Version)> ImportAsync(LayerImport request, IFeatureStream stream, Func<int, Task> started, Action<long>? progress, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await started(connection.ProcessID);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // client_min_messages: ST_IsValid's notices. client_connection_check_interval: if this server dies, PostgreSQL
        // notices within 2 s even mid-statement, ends the import and frees its backend (which marks the job abandoned).
        await Execute(connection, "SET LOCAL client_min_messages = warning; SET LOCAL client_connection_check_interval = '2s'", cancellationToken);

        if (await Scalar<string>(connection, "SELECT id FROM cities WHERE id = $1 FOR SHARE", cancellationToken, request.City) is null)
            throw new InputException(InputError.NotFound, $"city '{request.City}' does not exist; create it first (srd city add {request.City} --name ...).");
        await Scalar<object>(connection, "SELECT pg_advisory_xact_lock(hashtext($1))", cancellationToken, request.City + "/" + request.Name);

        var existing = await Existing(connection, request, cancellationToken);
        var layerId = existing?.Id ?? (await Scalar<long>(connection, "SELECT nextval('layers_id_seq')", cancellationToken));
        var version = (existing?.Version ?? 0) + 1;
        var table = $"features_{layerId}_v{version}";

        await Execute(connection, $"CREATE TABLE {table} (LIKE features INCLUDING DEFAULTS INCLUDING GENERATED) WITH (toast_tuple_target = 8160)", cancellationToken);
        await Copy(connection, table, layerId, stream, progress, cancellationToken);
        var summary = stream.Finish();
        // Formats without a header (GeoJSON, KML) name their fields only once read: checked here, inside the transaction.
        ImportDescription.CheckFields(request, summary.Fields);

        // Validity as GEOS sees it (the same engine the readiness check and QGIS use); stored as received, only counted.
        // A geometry the reader had to make storable (a ring closed) counts as invalid whatever its repaired shape.
        var invalid = await Scalar<long>(connection,
            $"SELECT count(*) FROM {table} WHERE geom IS NOT NULL AND (geometry_note IS NOT NULL OR NOT ST_IsValid(geom))", cancellationToken);
        await Execute(connection, $"ALTER TABLE {table} ADD CONSTRAINT {table}_layer CHECK (layer_id = {layerId})", cancellationToken);
        if (existing is not null)
        {
            var old = await Scalar<string>(connection,
                "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'features'::regclass AND c.relname LIKE $1",
                cancellationToken, $"features\\_{layerId}\\_v%");
            if (old is not null)
            {
                await Execute(connection, $"ALTER TABLE features DETACH PARTITION {old}", cancellationToken);
                await Execute(connection, $"DROP TABLE {old}", cancellationToken);
            }
        }
        await Execute(connection, $"ALTER TABLE features ATTACH PARTITION {table} FOR VALUES IN ({layerId})", cancellationToken);
        await LayerRows.UpsertAsync(connection, layerId, version, request, summary, invalid, cancellationToken);
        await Execute(connection, $"UPDATE layers SET tile_geometry_pending = EXISTS (SELECT 1 FROM {table} WHERE tile_pending) WHERE id = $1",
            cancellationToken, layerId);
        if (request.Kind == LayerKind.Boundary)
            await Execute(connection,
                $"UPDATE cities SET boundary = (SELECT ST_Multi(ST_CollectionExtract(ST_Union(ST_MakeValid(geom)), 3)) FROM {table}) WHERE id = $1",
                cancellationToken, request.City);
        // Delivered at COMMIT to every listening server, whichever process ran the import (tile caches evict the layer).
        await Execute(connection, "SELECT pg_notify('layer_changed', $1)", cancellationToken, $"{layerId} {request.City}");
        await transaction.CommitAsync(cancellationToken);
        return (layerId, version);
    }

    private static async Task Copy(NpgsqlConnection connection, string table, long layerId, IFeatureStream stream, Action<long>? progress, CancellationToken cancellationToken)
    {
        await using var writer = await connection.BeginBinaryImportAsync(
            $"COPY {table} (layer_id, ordinal, source_id, attributes, geom, geometry_note, tile_pending) FROM STDIN (FORMAT BINARY)", cancellationToken);
        long count = 0;
        foreach (var feature in stream.Features(cancellationToken))
        {
            writer.StartRow();
            writer.Write(layerId, NpgsqlDbType.Bigint);
            writer.Write(feature.Ordinal, NpgsqlDbType.Bigint);
            if (feature.SourceId is null) writer.WriteNull(); else writer.Write(feature.SourceId, NpgsqlDbType.Text);
            writer.Write(feature.AttributesJson, NpgsqlDbType.Jsonb);
            if (feature.Geometry is null) writer.WriteNull(); else writer.Write(feature.Geometry, NpgsqlDbType.Geometry);
            if (feature.GeometryNote is null) writer.WriteNull(); else writer.Write(feature.GeometryNote, NpgsqlDbType.Text);
            // Lines and polygons get their tile geometry after the commit (0014c_deferred_tile_geometry.sql); points keep none.
            if (feature.Geometry is null or Point or MultiPoint) writer.WriteNull(); else writer.Write(true, NpgsqlDbType.Boolean);
            if (++count % ProgressEvery == 0) progress?.Invoke(count);
        }
        await writer.CompleteAsync(cancellationToken);
        progress?.Invoke(count);
    }

    private static async Task<(long Id, int Version)?> Existing(NpgsqlConnection connection, LayerImport request, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT id, version, kind FROM layers WHERE city_id = $1 AND name = $2 FOR UPDATE", connection)
        {
            Parameters = { new() { Value = request.City }, new() { Value = request.Name } },
        };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        var kind = reader.GetString(2);
        if (kind != request.Kind.ToName())
            throw new InputException(InputError.Conflict,
                $"layer '{request.Name}' of city '{request.City}' is a {kind} layer; a new version must be of the same kind, or import under another name.");
        return (reader.GetInt64(0), reader.GetInt32(1));
    }

    internal static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in parameters) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    internal static async Task<T?> Scalar<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in parameters) command.Parameters.Add(new NpgsqlParameter { Value = value });
        var result = await command.ExecuteScalarAsync(cancellationToken);
        return result is null or DBNull ? default : (T)result;
    }
}
