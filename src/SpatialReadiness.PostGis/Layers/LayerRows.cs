using System.Text.Json;
using Npgsql;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.PostGis.Layers;

/// <summary>Reads and writes the layers and layer_versions rows (metadata and provenance).</summary>
internal static class LayerRows
{
    public const string Select = """
        SELECT l.id, l.city_id, l.name, l.kind, l.title, l.description, l.licence, l.source, l.custodian, l.survey_date,
               l.sensitive, l.version, l.format, l.crs_received, l.feature_count, l.invalid_count, l.empty_count, l.fields,
               l.min_lon, l.min_lat, l.max_lon, l.max_lat, l.created_at, l.updated_at,
               v.source_file, v.source_sha256, v.source_bytes, v.format, v.crs_received, v.feature_count, v.licence,
               v.imported_by, v.organisation, v.imported_at, l.field_map, l.sensitive_fields, l.editable, l.owner_id, l.update_frequency,
               (SELECT max(c.imported_at) FROM layer_versions c WHERE c.layer_id = l.id AND c.change <> 'access')
        FROM layers l JOIN layer_versions v ON v.layer_id = l.id AND v.version = l.version
        """;

    public static LayerInfo Read(NpgsqlDataReader r)
    {
        double[]? bbox = r.IsDBNull(18) ? null : [r.GetDouble(18), r.GetDouble(19), r.GetDouble(20), r.GetDouble(21)];
        return new LayerInfo(
            r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), NullableString(r, 5), r.GetString(6),
            NullableString(r, 7), NullableString(r, 8), r.IsDBNull(9) ? null : r.GetFieldValue<DateOnly>(9),
            r.GetBoolean(10), r.GetInt32(11), r.GetString(12), r.GetString(13), r.GetInt64(14), r.GetInt64(15), r.GetInt64(16),
            r.GetFieldValue<string[]>(17),
            JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(34)) ?? [], r.GetFieldValue<string[]>(35), bbox,
            new LayerProvenance(r.GetInt32(11), r.GetString(24), r.GetString(25), r.GetInt64(26), r.GetString(27), r.GetString(28),
                r.GetInt64(29), r.GetString(30), r.GetString(31), NullableString(r, 32), r.GetFieldValue<DateTimeOffset>(33)),
            r.GetFieldValue<DateTimeOffset>(22), r.GetFieldValue<DateTimeOffset>(23)) 
        {
            Editable = r.GetBoolean(36), Owner = NullableString(r, 37), UpdateFrequency = NullableString(r, 38),
            ContentUpdatedAt = r.IsDBNull(39) ? null : r.GetFieldValue<DateTimeOffset>(39),
        };
    }

    private static string? NullableString(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    /// <summary>
    /// Writes the layer row and its version's provenance. A new version keeps the layer's owner, and what was sensitive
    /// stays sensitive (a re-import that forgets the flag must not publish household data); un-marking is a deliberate
    /// act of the owner's moderators (PUT /api/layers/{id}/access). A new layer whose import names no owner belongs to
    /// the city's default owner organisation (none: admins alone moderate it).
    /// </summary>
    public static async Task UpsertAsync(NpgsqlConnection connection, long layerId, int version, LayerImport request, IngestSummary summary, long invalidCount, CancellationToken cancellationToken)
    {
        const string upsert = """
            INSERT INTO layers (id, city_id, name, kind, title, description, licence, source, custodian, survey_date, sensitive,
                                version, format, crs_received, feature_count, invalid_count, empty_count, fields,
                                min_lon, min_lat, max_lon, max_lat, source_file, source_sha256, source_bytes, imported_by, organisation, field_map, sensitive_fields, editable, owner_id, update_frequency)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28::jsonb, $29, $30,
                    coalesce($31, (SELECT c.owner_id FROM cities c WHERE c.id = $2)), $32)
            ON CONFLICT (id) DO UPDATE SET
                title = EXCLUDED.title, description = EXCLUDED.description, licence = EXCLUDED.licence, source = EXCLUDED.source,
                custodian = EXCLUDED.custodian, survey_date = EXCLUDED.survey_date, sensitive = layers.sensitive OR EXCLUDED.sensitive,
                version = EXCLUDED.version, format = EXCLUDED.format, crs_received = EXCLUDED.crs_received,
                feature_count = EXCLUDED.feature_count, invalid_count = EXCLUDED.invalid_count, empty_count = EXCLUDED.empty_count,
                fields = EXCLUDED.fields, min_lon = EXCLUDED.min_lon, min_lat = EXCLUDED.min_lat, max_lon = EXCLUDED.max_lon,
                max_lat = EXCLUDED.max_lat, source_file = EXCLUDED.source_file, source_sha256 = EXCLUDED.source_sha256,
                source_bytes = EXCLUDED.source_bytes, imported_by = EXCLUDED.imported_by, organisation = EXCLUDED.organisation, field_map = EXCLUDED.field_map,
                sensitive_fields = ARRAY(SELECT DISTINCT unnest(layers.sensitive_fields || EXCLUDED.sensitive_fields) ORDER BY 1),
                editable = EXCLUDED.editable,
                update_frequency = COALESCE(EXCLUDED.update_frequency, layers.update_frequency),
                updated_at = now()
            """;
        var e = summary.Extent;
        await using (var command = new NpgsqlCommand(upsert, connection))
        {
            foreach (var value in new object?[]
            {
                layerId, request.City, request.Name, request.Kind.ToName(), request.Title, request.Description, request.Licence,
                request.Source, request.Custodian, request.SurveyDate, request.Sensitive, version, summary.Format, summary.CrsReceived,
                summary.FeatureCount, invalidCount, summary.EmptyGeometryCount, summary.Fields.ToArray(),
                e?.MinX, e?.MinY, e?.MaxX, e?.MaxY, request.SourceFile, request.SourceSha256, request.SourceBytes,
                request.ImportedBy, request.Organisation, JsonSerializer.Serialize(request.FieldMap ?? new Dictionary<string, string>()),
                (request.SensitiveFields ?? []).ToArray(), request.Editable, request.Owner, request.UpdateFrequency,
            })
                command.Parameters.Add(Parameter(value));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        const string history = """
            INSERT INTO layer_versions (layer_id, version, licence, source_file, source_sha256, source_bytes, format, crs_received,
                                        feature_count, imported_by, organisation)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            """;
        await using (var command = new NpgsqlCommand(history, connection))
        {
            foreach (var value in new object?[]
            {
                layerId, version, request.Licence, request.SourceFile, request.SourceSha256, request.SourceBytes, summary.Format,
                summary.CrsReceived, summary.FeatureCount, request.ImportedBy, request.Organisation,
            })
                command.Parameters.Add(Parameter(value));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static NpgsqlParameter Parameter(object? value) => value switch
    {
        null => new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Unknown },
        _ => new NpgsqlParameter { Value = value },
    };
}
