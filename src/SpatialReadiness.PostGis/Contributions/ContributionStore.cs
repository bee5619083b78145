using System.Security.Cryptography;
using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.Core.Contributions;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;
using SpatialReadiness.PostGis.Features;
using SpatialReadiness.PostGis.Layers;
using SpatialReadiness.PostGis.Readiness;

namespace SpatialReadiness.PostGis.Contributions;

/// <summary>Which contributions a list shows: by state, layer or city, only the caller's own, a page.</summary>
public sealed record ContributionQuery(ContributionState? State = null, long? LayerId = null, string? City = null, bool Mine = false, int Limit = 50, long Offset = 0);

/// <summary>
/// Contributions from proposal to outcome. Submitting stores the changes with the feature as the contributor saw it
/// and checks the proposal with the 4.e rules in the same transaction (a failure stores nothing); a change made on a
/// version that is no longer current is stored as conflicted. Accepting applies every change in one transaction that
/// holds the layer's lock, or none when a feature moved on since its base version (then the contribution is
/// conflicted, and kept). Rejecting keeps everything with the moderator's note. Reverting proposes, as a new
/// contribution, the versions an accepted one replaced.
/// </summary>
public sealed class ContributionStore(NpgsqlDataSource dataSource, NpgsqlDataSource stagingDataSource)
{
    public const int MaxChanges = 10_000;

    /// <summary>Checks a proposal on the session (the rules; see Checks.ProposalCheck), given the city's layers and the staging step.</summary>
    public delegate Task ProposalChecker(ICheckDatabase database, ProposalCheckData data, CancellationToken cancellationToken);

    public async Task<Contribution> SubmitAsync(ContributionRequest request, Caller author, ProposalChecker check, CancellationToken cancellationToken = default)
    {
        if (request.Changes.Count == 0) throw new InputException(InputError.Unprocessable, "a contribution needs at least one change.");
        if (request.Changes.Count > MaxChanges)
            throw new InputException(InputError.TooLarge, $"a contribution may hold at most {MaxChanges:N0} changes; it has {request.Changes.Count:N0}. Split it.");
        var twice = request.Changes.Where(c => c.FeatureId is not null).GroupBy(c => c.FeatureId).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new InputException(InputError.Unprocessable, $"feature {twice.Key} is changed {twice.Count()} times; a contribution changes each feature once.");

        // Unprepared connections: the check stages the proposal in a temporary table that hides the features table.
        await using var connection = await stagingDataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await Sql.ExecuteAsync(connection, "SET LOCAL client_min_messages = warning", cancellationToken);
        await Sql.ExecuteAsync(connection, "SELECT id FROM layers WHERE id = @layer FOR SHARE", cancellationToken, ("layer", request.LayerId));
        var layer = await LayerStore.ReadLayerAsync(connection, request.LayerId, cancellationToken)
            ?? throw new InputException(InputError.NotFound, $"layer {request.LayerId} does not exist.");
        if (!layer.Editable)
            throw new InputException(InputError.Conflict, $"layer {layer.Id} ({layer.City}/{layer.Name}) does not take contributions; a moderator of it can open it (PATCH /api/layers/{layer.Id}/access with \"editable\": true).");

        var id = await Sql.ScalarAsync<long>(connection, """
            INSERT INTO contributions (layer_id, author_id, organisation_id, channel, licence, comment, source, source_sha256, source_bytes, reverts, state)
            VALUES (@layer, @author, @org, @channel, @licence, @comment, @source, @sha, @bytes, @reverts, 'pending') RETURNING id
            """, cancellationToken, ("layer", layer.Id), ("author", author.UserId!.Value), ("org", Sql.Nullable(author.Organisation)),
            ("channel", request.Channel.ToName()), ("licence", string.IsNullOrWhiteSpace(request.Licence) ? layer.Licence : request.Licence.Trim()),
            ("comment", request.Comment?.Trim() ?? ""), ("source", Sql.Nullable(request.Source)), ("sha", Sql.Nullable(request.SourceSha256)),
            ("bytes", (object?)request.SourceBytes ?? DBNull.Value), ("reverts", (object?)request.Reverts ?? DBNull.Value));
        for (var i = 0; i < request.Changes.Count; i++) await StoreChangeAsync(connection, layer, id, i + 1, request.Changes[i], cancellationToken);

        var conflicts = await ConflictsAsync(connection, layer.Id, id, cancellationToken);
        if (conflicts.Count > 0)
        {
            await Sql.ExecuteAsync(connection, "UPDATE contributions SET state = 'conflicted', reviewed_at = now(), review_note = @note WHERE id = @c", cancellationToken,
                ("c", id), ("note", "made on versions that are no longer current; nothing was applied"));
            await transaction.CommitAsync(cancellationToken);
            throw new ConflictException(id, conflicts);
        }
        await ProposalChecks.RunAsync(connection, stagingDataSource, layer, id, author, check, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (await GetAsync(id, CancellationToken.None))!;
    }

    /// <summary>
    /// Stores one change with the feature's state at its base version (null: the current one). The proposed state is
    /// that base with the change merged in, or replacing all but the kept fields, and the new geometry if any.
    /// </summary>
    private static async Task StoreChangeAsync(NpgsqlConnection connection, LayerInfo layer, long contribution, int ordinal, ProposedChange change, CancellationToken cancellationToken)
    {
        if (change.Action == ChangeAction.Create)
        {
            if (change.Geometry is null) throw new InputException(InputError.Unprocessable, $"change {ordinal} creates a feature without a geometry; a new feature needs one.");
            await Sql.ExecuteAsync(connection, """
                INSERT INTO contribution_changes (contribution_id, ordinal, action, attributes, geom) VALUES (@c, @o, 'create', @props, @geom)
                """, cancellationToken, ("c", contribution), ("o", ordinal), ("props", Sql.Jsonb(change.PropertiesJson)), ("geom", Sql.Geometry(change.Geometry)));
            return;
        }
        var featureId = change.FeatureId ?? throw new InputException(InputError.Unprocessable, $"change {ordinal} ({change.Action.ToName()}) names no feature.");
        var current = await Sql.ScalarAsync<int?>(connection, $"SELECT version FROM ({CurrentVersion}) cur", cancellationToken, ("layer", layer.Id), ("id", featureId))
            ?? throw new InputException(InputError.NotFound, $"feature {featureId} does not exist in layer {layer.Id} ({layer.City}/{layer.Name}).");
        var baseVersion = change.BaseVersion ?? current;
        await using var command = Sql.Command(connection, """
            INSERT INTO contribution_changes (contribution_id, ordinal, action, feature_id, base_version, base_attributes, base_geom, attributes, geom)
            SELECT @c, @o, @action, @id, @base, b.attributes, b.geom,
                   CASE WHEN @action = 'delete' THEN NULL
                        WHEN @replace OR b.attributes IS NULL
                            THEN coalesce(b.attributes - ARRAY(SELECT k FROM jsonb_object_keys(b.attributes) k WHERE k <> ALL(@kept)), '{}') || @props
                        ELSE (b.attributes || @props) - @removed END,
                   CASE WHEN @action = 'delete' THEN NULL ELSE coalesce(@geom, b.geom) END
            FROM (SELECT attributes, geom FROM features WHERE layer_id = @layer AND id = @id AND version = @base
                  UNION ALL
                  SELECT attributes, geom FROM feature_versions WHERE layer_id = @layer AND feature_id = @id AND version = @base
                  LIMIT 1) b
            RETURNING base_attributes IS NULL, geom IS NULL
            """,
            [
                ("c", contribution), ("o", ordinal), ("action", change.Action.ToName()), ("id", featureId), ("base", baseVersion), ("layer", layer.Id),
                ("replace", change.ReplaceProperties), ("kept", (change.KeptProperties ?? []).ToArray()), ("props", Sql.Jsonb(change.PropertiesJson)),
                ("removed", (change.RemovedProperties ?? []).ToArray()), ("geom", Sql.Geometry(change.Geometry)),
            ]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            throw new InputException(InputError.Unprocessable, $"feature {featureId} has no version {baseVersion}; its current version is {current}.");
        var (baseDeleted, noGeometry) = (reader.GetBoolean(0), reader.GetBoolean(1));
        if (baseDeleted && change.Action == ChangeAction.Delete)
            throw new InputException(InputError.Conflict, $"feature {featureId} is deleted already (version {baseVersion}).");
        if (noGeometry && change.Action == ChangeAction.Modify)
            throw new InputException(InputError.Unprocessable, $"change {ordinal} restores deleted feature {featureId} without a geometry; give it one.");
    }

    /// <summary>A feature's current version: its row in features, or else its deletion if that is its newest version.</summary>
    private const string CurrentVersion = """
        SELECT f.version, f.attributes, f.geom FROM features f WHERE f.layer_id = @layer AND f.id = @id
        UNION ALL
        SELECT v.version, NULL, NULL FROM feature_versions v
        WHERE v.layer_id = @layer AND v.feature_id = @id AND v.deleted
          AND NOT EXISTS (SELECT 1 FROM features f WHERE f.layer_id = @layer AND f.id = @id)
          AND v.version = (SELECT max(version) FROM feature_versions m WHERE m.feature_id = @id)
        LIMIT 1
        """;

    /// <summary>The changes of a contribution whose base version is not the feature's current one, with both states and the proposal.</summary>
    private static async Task<List<VersionConflict>> ConflictsAsync(NpgsqlConnection connection, long layerId, long contribution, CancellationToken cancellationToken)
    {
        var current = CurrentVersion.Replace("@id", "c.feature_id", StringComparison.Ordinal);
        await using var command = new NpgsqlCommand($"""
            SELECT c.ordinal, c.feature_id, c.base_version, ST_AsGeoJSON(c.base_geom), c.base_attributes::text,
                   ST_AsGeoJSON(c.geom), c.attributes::text, cur.version, ST_AsGeoJSON(cur.geom), cur.attributes::text
            FROM contribution_changes c LEFT JOIN LATERAL ({current}) cur ON true
            WHERE c.contribution_id = @c AND c.action <> 'create' AND cur.version IS DISTINCT FROM c.base_version
            ORDER BY c.ordinal
            """, connection);
        command.Parameters.AddWithValue("c", contribution);
        command.Parameters.AddWithValue("layer", layerId);
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        var conflicts = new List<VersionConflict>();
        while (await r.ReadAsync(cancellationToken))
        {
            int? now = r.IsDBNull(7) ? null : r.GetInt32(7);
            conflicts.Add(new VersionConflict(r.GetInt32(0), r.GetInt64(1), r.GetInt32(2), now,
                new FeatureState(r.GetInt32(2), Sql.String(r, 3), Sql.String(r, 4)),
                now is null ? null : new FeatureState(now, Sql.String(r, 8), Sql.String(r, 9)),
                new FeatureState(null, Sql.String(r, 5), Sql.String(r, 6))));
        }
        return conflicts;
    }

    public async Task<Contribution?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await ContributionRows.ReadAsync(connection, "WHERE c.id = @id", [("id", id)], cancellationToken)).FirstOrDefault();
    }

    /// <summary>
    /// The contributions <paramref name="caller"/> may see, newest first (oldest first when listing the pending queue),
    /// and how many match. The SQL states <see cref="Caller"/>'s rules: admins see all; others see those to layers they
    /// may read that they wrote, or that they moderate.
    /// </summary>
    public async Task<(IReadOnlyList<Contribution> Page, long Matched)> ListAsync(ContributionQuery query, Caller caller, CancellationToken cancellationToken = default)
    {
        const string where = """
            WHERE (@admin OR ((NOT l.sensitive OR l.owner_id = @org)
                              AND (c.author_id = @me OR (@moderator AND l.owner_id = @org))))
              AND (@state::text IS NULL OR c.state = @state) AND (@layer_id::bigint IS NULL OR c.layer_id = @layer_id)
              AND (@city::text IS NULL OR l.city_id = @city) AND (NOT @mine OR c.author_id = @me)
            """;
        (string, object)[] parameters =
        [
            ("admin", caller.IsAdmin), ("org", Sql.Nullable(caller.Organisation)), ("me", caller.UserId ?? -1L), ("moderator", caller.Role == Role.Moderator),
            ("state", Sql.Nullable(query.State?.ToName())), ("layer_id", (object?)query.LayerId ?? DBNull.Value), ("city", Sql.Nullable(query.City)), ("mine", query.Mine),
        ];
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var order = query.State == ContributionState.Pending ? "c.id" : "c.id DESC";
        var page = await ContributionRows.ReadAsync(connection, $"{where} ORDER BY {order} LIMIT @limit OFFSET @offset",
            [.. parameters, ("limit", query.Limit), ("offset", query.Offset)], cancellationToken);
        var matched = await Sql.ScalarAsync<long>(connection, $"SELECT count(*) FROM contributions c JOIN layers l ON l.id = c.layer_id {where}", cancellationToken, parameters);
        return (page, matched);
    }

    /// <summary>
    /// Applies a pending contribution in one transaction: all its changes or, when a feature moved on since its base
    /// version, none (the contribution becomes conflicted and <see cref="ConflictException"/> carries both versions).
    /// </summary>
    public async Task<Contribution> AcceptAsync(long id, Caller reviewer, string? note, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await Sql.ExecuteAsync(connection, "SET LOCAL client_min_messages = warning", cancellationToken);
        var (layerId, author, organisation, source, sha, bytes) = await PendingAsync(connection, id, cancellationToken);
        var city = await Sql.ScalarAsync<string>(connection, "SELECT city_id FROM layers WHERE id = @layer FOR UPDATE", cancellationToken, ("layer", layerId));
        var conflicts = await ConflictsAsync(connection, layerId, id, cancellationToken);
        if (conflicts.Count > 0)
        {
            await ReviewAsync(connection, id, "conflicted", reviewer, note, null, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            throw new ConflictException(id, conflicts);
        }
        var credit = new FeatureWriter.Credit(author, organisation, source ?? $"contribution {id}",
            sha ?? Convert.ToHexStringLower(SHA256.HashData([])), bytes ?? 0);
        var version = await FeatureWriter.ApplyAsync(connection, layerId, city!, id, credit, cancellationToken);
        await ReviewAsync(connection, id, "accepted", reviewer, note, version, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (await GetAsync(id, CancellationToken.None))!;
    }

    public async Task<Contribution> RejectAsync(long id, Caller reviewer, string? note, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(note)) throw new InputException(InputError.Unprocessable, "say why in a note, so the contributor can do better (\"note\": \"...\").");
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await PendingAsync(connection, id, cancellationToken);
        await ReviewAsync(connection, id, "rejected", reviewer, note, null, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (await GetAsync(id, CancellationToken.None))!;
    }

    /// <summary>
    /// Proposes, as a new contribution, what an accepted one replaced: its creations deleted, its modifications
    /// undone (all attributes, sensitive ones included, and the geometry), its deletions restored. Each change is based
    /// on the version the accepted contribution made, so anything changed since makes the revert conflict.
    /// </summary>
    public async Task<Contribution> RevertAsync(long id, Caller author, string? comment, string sourceSha256, long sourceBytes, ProposalChecker check, CancellationToken cancellationToken = default)
    {
        var original = await GetAsync(id, cancellationToken) ?? throw new InputException(InputError.NotFound, $"contribution {id} does not exist.");
        if (original.State != ContributionState.Accepted)
            throw new InputException(InputError.Conflict, $"contribution {id} is {original.State.ToName()}; only an accepted contribution changed anything to revert.");
        var changes = new List<ProposedChange>();
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var command = new NpgsqlCommand("""
            SELECT action, feature_id, version, base_attributes::text, base_geom FROM contribution_changes WHERE contribution_id = @c ORDER BY ordinal
            """, connection))
        {
            command.Parameters.AddWithValue("c", id);
            await using var r = await command.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
            {
                ContributionNames.TryParse<ChangeAction>(r.GetString(0), out var action);
                var (feature, version) = (r.GetInt64(1), r.GetInt32(2));
                var before = Sql.String(r, 3);
                changes.Add(action == ChangeAction.Create || before is null
                    ? ProposedChange.Delete(feature, version)
                    : new ProposedChange(ChangeAction.Modify, feature, version, before, r.GetFieldValue<Geometry>(4), ReplaceProperties: true));
            }
        }
        var request = new ContributionRequest(original.LayerId, Channel.Revert, changes, comment ?? $"revert of contribution {id}",
            Source: $"revert of contribution {id}", SourceSha256: sourceSha256, SourceBytes: sourceBytes, Reverts: id);
        return await SubmitAsync(request, author, check, cancellationToken);
    }

    /// <summary>
    /// The features of a layer found by the value of <paramref name="field"/> (its id field: slum_id, ...), for values
    /// only one feature has: how an uploaded proposal is matched to the features it changes.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, long>> FeaturesByAttributeAsync(long layerId, string field, IReadOnlyCollection<string> values, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, """
            SELECT attributes ->> @field, min(id) FROM features
            WHERE layer_id = @layer AND attributes ->> @field = ANY(@values)
            GROUP BY 1 HAVING count(*) = 1
            """, [("layer", layerId), ("field", field), ("values", values.ToArray())]);
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        var found = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await r.ReadAsync(cancellationToken)) found[r.GetString(0)] = r.GetInt64(1);
        return found;
    }

    /// <summary>Locks a pending contribution; says why when it is not pending. Returns what acceptance credits.</summary>
    private static async Task<(long Layer, string Author, string? Organisation, string? Source, string? Sha, long? Bytes)> PendingAsync(
        NpgsqlConnection connection, long id, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT c.layer_id, c.state, a.name, c.organisation_id, c.source, c.source_sha256, c.source_bytes, r.name, c.reviewed_at
            FROM contributions c JOIN users a ON a.id = c.author_id LEFT JOIN users r ON r.id = c.reviewer_id
            WHERE c.id = @id FOR UPDATE OF c
            """, connection);
        command.Parameters.AddWithValue("id", id);
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        if (!await r.ReadAsync(cancellationToken)) throw new InputException(InputError.NotFound, $"contribution {id} does not exist.");
        var state = r.GetString(1);
        if (state != "pending")
            throw new InputException(InputError.Conflict, $"contribution {id} is {state} already{(r.IsDBNull(7) ? "" : $" (by {r.GetString(7)}, {r.GetFieldValue<DateTimeOffset>(8):u})")}; only a pending one can be reviewed.");
        return (r.GetInt64(0), r.GetString(2), Sql.String(r, 3), Sql.String(r, 4), Sql.String(r, 5), r.IsDBNull(6) ? null : r.GetInt64(6));
    }

    private static Task ReviewAsync(NpgsqlConnection connection, long id, string state, Caller reviewer, string? note, int? layerVersion, CancellationToken cancellationToken) =>
        Sql.ExecuteAsync(connection, """
            UPDATE contributions SET state = @state, reviewer_id = @reviewer, review_note = @note, reviewed_at = now(), layer_version = @version WHERE id = @id
            """, cancellationToken, ("id", id), ("state", state), ("reviewer", reviewer.UserId!.Value), ("note", Sql.Nullable(string.IsNullOrWhiteSpace(note) ? null : note.Trim())),
            ("version", (object?)layerVersion ?? DBNull.Value));
}
