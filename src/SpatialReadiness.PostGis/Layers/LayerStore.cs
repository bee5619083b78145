using Npgsql;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.PostGis.Layers;

/// <summary>Cities, layers and their provenance, and imports into them. No SQL leaves this folder.</summary>
/// <param name="failover">Where cities and layers are read while the primary cannot be reached; none by default.</param>
public sealed class LayerStore(NpgsqlDataSource dataSource, FailoverReads? failover = null)
{
    private readonly FailoverReads _failover = failover ?? FailoverReads.None;

    private readonly ImportJobs _jobs = new(dataSource);

    public async Task<CityInfo> CreateCityAsync(string id, string name, string? state, CancellationToken cancellationToken = default, string? owner = null)
    {
        if (!Names.IsCityId(id))
            throw new InputException(InputError.Unprocessable, $"city id '{id}' is not allowed: use 1-63 lower-case letters, digits and '-', starting with a letter or digit (e.g. 'pune').");
        if (string.IsNullOrWhiteSpace(name))
            throw new InputException(InputError.Unprocessable, "a city needs a name (e.g. \"Pune\").");
        await RequireOrganisationAsync(owner, cancellationToken);
        await using var command = dataSource.CreateCommand("INSERT INTO cities (id, name, state, owner_id) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING");
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = name.Trim() });
        command.Parameters.Add(new() { Value = (object?)state?.Trim() ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)owner ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
            throw new InputException(InputError.Conflict, $"city '{id}' already exists.");
        return (await GetCityAsync(id, cancellationToken))!;
    }

    /// <summary>
    /// Makes <paramref name="owner"/> the organisation that speaks for the city, and gives it the city's layers that no
    /// organisation owns (until now moderated by admins alone). Returns how many layers it was given.
    /// </summary>
    public async Task<long> SetCityOwnerAsync(string city, string owner, CancellationToken cancellationToken = default)
    {
        await RequireOrganisationAsync(owner, cancellationToken);
        await using var command = dataSource.CreateCommand("""
            WITH city AS (UPDATE cities SET owner_id = $2 WHERE id = $1 RETURNING id),
            given AS (UPDATE layers SET owner_id = $2 WHERE city_id IN (SELECT id FROM city) AND owner_id IS NULL RETURNING id)
            SELECT (SELECT count(*) FROM city), (SELECT count(*) FROM given)
            """);
        command.Parameters.Add(new() { Value = city });
        command.Parameters.Add(new() { Value = owner });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        if (reader.GetInt64(0) == 0) throw new InputException(InputError.NotFound, $"city '{city}' does not exist.");
        return reader.GetInt64(1);
    }

    private async Task RequireOrganisationAsync(string? owner, CancellationToken cancellationToken)
    {
        if (owner is null) return;
        await using var command = dataSource.CreateCommand("SELECT 1 FROM organisations WHERE id = $1");
        command.Parameters.Add(new() { Value = owner });
        if (await command.ExecuteScalarAsync(cancellationToken) is null)
            throw new InputException(InputError.NotFound, $"organisation '{owner}' does not exist.");
    }

    public async Task<IReadOnlyList<CityInfo>> ListCitiesAsync(CancellationToken cancellationToken = default) =>
        await ReadCities(null, cancellationToken);

    public async Task<CityInfo?> GetCityAsync(string id, CancellationToken cancellationToken = default) =>
        (await ReadCities(id, cancellationToken)).FirstOrDefault();

    private Task<List<CityInfo>> ReadCities(string? id, CancellationToken cancellationToken) =>
        _failover.ReadAsync(dataSource, connection => ReadCities(connection, id, cancellationToken), cancellationToken);

    internal static async Task<CityInfo?> ReadCityAsync(NpgsqlConnection connection, string id, CancellationToken cancellationToken) =>
        (await ReadCities(connection, id, cancellationToken)).FirstOrDefault();

    private static async Task<List<CityInfo>> ReadCities(NpgsqlConnection connection, string? id, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT c.id, c.name, c.state, c.boundary IS NOT NULL,
                   (SELECT count(*)::int FROM layers l WHERE l.city_id = c.id AND NOT l.sensitive),
                   ST_XMin(c.boundary), ST_YMin(c.boundary), ST_XMax(c.boundary), ST_YMax(c.boundary), c.created_at, c.owner_id
            FROM cities c WHERE $1::text IS NULL OR c.id = $1 ORDER BY c.id
            """, connection);
        command.Parameters.Add(new() { Value = (object?)id ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var cities = new List<CityInfo>();
        while (await reader.ReadAsync(cancellationToken))
            cities.Add(new CityInfo(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetBoolean(3), reader.GetInt32(4),
                reader.IsDBNull(5) ? null : [reader.GetDouble(5), reader.GetDouble(6), reader.GetDouble(7), reader.GetDouble(8)],
                reader.GetFieldValue<DateTimeOffset>(9)) { Owner = reader.IsDBNull(10) ? null : reader.GetString(10) });
        return cities;
    }

    public async Task<IReadOnlyList<LayerInfo>> ListLayersAsync(string city, CancellationToken cancellationToken = default) =>
        await ReadLayers("WHERE l.city_id = $1 ORDER BY l.kind, l.name", city, cancellationToken);

    /// <summary>Every layer of every city that may be served to anyone (not sensitive), in one query: what the feeds list.</summary>
    public async Task<IReadOnlyList<LayerInfo>> ListPublicLayersAsync(CancellationToken cancellationToken = default) =>
        await ReadLayers("WHERE NOT l.sensitive AND $1 ORDER BY l.city_id, l.kind, l.name", true, cancellationToken);

    /// <summary>Every layer of every city, sensitive ones included: for readers some of whose sensitive layers are revealed to them.</summary>
    public async Task<IReadOnlyList<LayerInfo>> ListAllLayersAsync(CancellationToken cancellationToken = default) =>
        await ReadLayers("WHERE $1 ORDER BY l.city_id, l.kind, l.name", true, cancellationToken);

    public async Task<LayerInfo?> GetLayerAsync(long id, CancellationToken cancellationToken = default) =>
        (await ReadLayers("WHERE l.id = $1", id, cancellationToken)).FirstOrDefault();

    public async Task<LayerInfo?> GetLayerAsync(string city, string name, CancellationToken cancellationToken = default)
    {
        var layers = await ListLayersAsync(city, cancellationToken);
        return layers.FirstOrDefault(l => l.Name == name);
    }

    /// <summary>Every committed version of a layer, oldest first.</summary>
    public async Task<IReadOnlyList<LayerProvenance>> ListVersionsAsync(long layerId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT version, source_file, source_sha256, source_bytes, format, crs_received, feature_count, licence, imported_by, organisation, imported_at
            FROM layer_versions WHERE layer_id = $1 ORDER BY version
            """);
        command.Parameters.Add(new() { Value = layerId });
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        var versions = new List<LayerProvenance>();
        while (await r.ReadAsync(cancellationToken))
            versions.Add(new LayerProvenance(r.GetInt32(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetString(4), r.GetString(5),
                r.GetInt64(6), r.GetString(7), r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9), r.GetFieldValue<DateTimeOffset>(10)));
        return versions;
    }

    private Task<List<LayerInfo>> ReadLayers(string where, object key, CancellationToken cancellationToken) =>
        _failover.ReadAsync(dataSource, connection => ReadLayers(connection, where, key, cancellationToken), cancellationToken);

    /// <summary>One layer read on <paramref name="connection"/>, inside whatever transaction it has open.</summary>
    internal static async Task<LayerInfo?> ReadLayerAsync(NpgsqlConnection connection, long id, CancellationToken cancellationToken) =>
        (await ReadLayers(connection, "WHERE l.id = $1", id, cancellationToken)).FirstOrDefault();

    /// <summary>A city's layers read on <paramref name="connection"/>, inside whatever transaction it has open.</summary>
    internal static Task<List<LayerInfo>> ReadLayersAsync(NpgsqlConnection connection, string city, CancellationToken cancellationToken) =>
        ReadLayers(connection, "WHERE l.city_id = $1 ORDER BY l.kind, l.name", city, cancellationToken);

    private static async Task<List<LayerInfo>> ReadLayers(NpgsqlConnection connection, string where, object key, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(LayerRows.Select + "\n" + where, connection);
        command.Parameters.Add(new() { Value = key });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var layers = new List<LayerInfo>();
        while (await reader.ReadAsync(cancellationToken)) layers.Add(LayerRows.Read(reader));
        return layers;
    }

    /// <summary>
    /// Imports <paramref name="stream"/> as a new version of the layer, recording the attempt as an import job that can
    /// be watched while it runs. A failure leaves the layer as it was and the job marked failed with the reason.
    /// </summary>
    public async Task<LayerInfo> ImportAsync(LayerImport request, IFeatureStream stream, Guid? jobId = null, Action<long>? progress = null, CancellationToken cancellationToken = default)
    {
        using var timing = StoreMetrics.Time(StoreMetrics.ImportDuration);
        // What can be refused before anything is written is refused here, before the job row (ImportDescription).
        ImportDescription.CheckBeforeWriting(request, stream);
        var job = await _jobs.StartAsync(jobId ?? Guid.NewGuid(), request, cancellationToken);
        try
        {
            var (layerId, version) = await new LayerImporter(dataSource).ImportAsync(request, stream, job.AttachBackendAsync, read =>
            {
                job.Report(read);
                progress?.Invoke(read);
            }, cancellationToken);
            await job.SucceededAsync(layerId, version);
            return (await GetLayerAsync(layerId, CancellationToken.None))!;
        }
        catch (InputException e)
        {
            await job.FailedAsync(e.Code.ToString(), e.Message);
            throw;
        }
        catch (OperationCanceledException)
        {
            await job.FailedAsync("Cancelled", "the import was cancelled; nothing was stored.", cancelled: true);
            throw;
        }
        catch (Exception e) when (DatabaseFaults.Classify(e) is { } fault)
        {
            await job.InterruptedAsync(fault.Reason + " Nothing of the import was stored; upload the file again.");
            throw;
        }
        catch (Exception e)
        {
            await job.FailedAsync("ServerError", e.Message);
            throw;
        }
    }

    /// <summary>
    /// Changes who owns a layer, whether it is sensitive, which fields are, and whether it takes contributions, as a new
    /// layer version whose provenance says who did it (so tile caches, keyed by version, never serve the old view);
    /// sends layer_changed. A sensitive field must be one of the layer's fields.
    /// </summary>
    public async Task<LayerInfo> SetAccessAsync(long layerId, LayerAccess access, string by, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LayerImporter.Execute(connection, "SELECT id FROM layers WHERE id = $1 FOR UPDATE", cancellationToken, layerId);
        var layer = await ReadLayerAsync(connection, layerId, cancellationToken) ?? throw new InputException(InputError.NotFound, $"layer {layerId} does not exist.");
        var unknown = access.SensitiveFields.Except(layer.Fields, StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
            throw new InputException(InputError.Unprocessable, $"the layer has no field{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown)} (its fields: {string.Join(", ", layer.Fields)}).");
        if (access.Owner is not null && await LayerImporter.Scalar<string>(connection, "SELECT id FROM organisations WHERE id = $1", cancellationToken, access.Owner) is null)
            throw new InputException(InputError.NotFound, $"organisation '{access.Owner}' does not exist.");
        var description = $"access: owner {access.Owner ?? "none"}, {(access.Sensitive ? "sensitive" : "not sensitive")}, sensitive fields [{string.Join(", ", access.SensitiveFields)}], {(access.Editable ? "" : "not ")}editable";
        await using (var command = new NpgsqlCommand("""
            WITH layer AS (
                UPDATE layers SET owner_id = $2, sensitive = $3, sensitive_fields = $4, editable = $5, version = version + 1, updated_at = now()
                WHERE id = $1 RETURNING id, version
            )
            INSERT INTO layer_versions (layer_id, version, licence, source_file, source_sha256, source_bytes, format, crs_received, feature_count, imported_by, organisation, change)
            SELECT v.layer_id, layer.version, v.licence, $6, v.source_sha256, v.source_bytes, v.format, v.crs_received, v.feature_count, $7, v.organisation, 'access'
            FROM layer JOIN layer_versions v ON v.layer_id = layer.id AND v.version = layer.version - 1
            """, connection))
        {
            foreach (var value in new object[] { layerId, (object?)access.Owner ?? DBNull.Value, access.Sensitive, access.SensitiveFields.ToArray(), access.Editable, description, by })
                command.Parameters.Add(value is DBNull ? new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text } : new NpgsqlParameter { Value = value });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await LayerImporter.Execute(connection, "SELECT pg_notify('layer_changed', $1)", cancellationToken, $"{layerId} {layer.City}");
        await transaction.CommitAsync(cancellationToken);
        return (await GetLayerAsync(layerId, CancellationToken.None))!;
    }

    /// <summary>
    /// Sets (or with null clears) how often the layer is to be updated. Not a new layer version: nothing a tile, feed or
    /// download serves changes, only the promise about the next one.
    /// </summary>
    public async Task<LayerInfo> SetUpdateFrequencyAsync(long layerId, string? frequency, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("UPDATE layers SET update_frequency = $2 WHERE id = $1");
        command.Parameters.Add(new() { Value = layerId });
        command.Parameters.Add(new() { Value = (object?)frequency ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0) throw new InputException(InputError.NotFound, $"layer {layerId} does not exist.");
        return (await GetLayerAsync(layerId, cancellationToken))!;
    }

    /// <summary>
    /// Replaces the layer's field map (canonical field to the layer's own, e.g. ward_no = sn): what the readiness check
    /// reads each canonical field from, without a re-import. The next check's input hash changes with it. Every named
    /// field must be one of the layer's.
    /// </summary>
    public async Task<LayerInfo> SetFieldMapAsync(long layerId, IReadOnlyDictionary<string, string> map, CancellationToken cancellationToken = default)
    {
        var layer = await GetLayerAsync(layerId, cancellationToken) ?? throw new InputException(InputError.NotFound, $"layer {layerId} does not exist.");
        var unknown = map.Values.Except(layer.Fields, StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
            throw new InputException(InputError.Unprocessable, $"the layer has no field{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown)} (its fields: {string.Join(", ", layer.Fields)}).");
        await using var command = dataSource.CreateCommand("UPDATE layers SET field_map = $2::jsonb WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = layerId });
        command.Parameters.Add(new NpgsqlParameter { Value = System.Text.Json.JsonSerializer.Serialize(map) });
        await command.ExecuteNonQueryAsync(cancellationToken);
        return (await GetLayerAsync(layerId, cancellationToken))!;
    }

    public Task<ImportJob?> GetImportJobAsync(Guid id, CancellationToken cancellationToken = default) => _jobs.GetAsync(id, cancellationToken);

    /// <summary>Imports left 'running' by a server that died are marked interrupted (see ImportJobs.MarkAbandonedAsync).</summary>
    public Task<int> MarkAbandonedImportsAsync(CancellationToken cancellationToken = default) => ImportJobs.MarkAbandonedAsync(dataSource, cancellationToken);
}
