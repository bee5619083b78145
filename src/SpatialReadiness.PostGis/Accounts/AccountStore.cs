using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;
using SpatialReadiness.Core.Accounts;

namespace SpatialReadiness.PostGis.Accounts;

/// <summary>What sign-in needs about a user: the account, its password hash (null: keys only) and its security stamp.</summary>
public sealed record SignInRecord(UserAccount User, string? PasswordHash, Guid SecurityStamp);

/// <summary>Organisations, users and API keys. Passwords arrive hashed; keys arrive as their SHA-256.</summary>
/// <param name="failover">Where users are read while the primary cannot be reached (API keys and sessions keep reading); none by default.</param>
public sealed partial class AccountStore(NpgsqlDataSource dataSource, FailoverReads? failover = null)
{
    private readonly FailoverReads _failover = failover ?? FailoverReads.None;

    private const string SelectUser = """
        SELECT u.id, u.name, u.display_name, u.role, u.organisation_id, u.disabled, u.created_at, u.password_hash, u.security_stamp
        FROM users u
        """;

    public async Task<Organisation> CreateOrganisationAsync(string id, string name, string kind, CancellationToken cancellationToken = default)
    {
        if (!Core.Layers.Names.IsCityId(id))
            throw new InputException(InputError.Unprocessable, $"organisation id '{id}' is not allowed: use 1-63 lower-case letters, digits and '-' (e.g. 'pmc-gis').");
        if (string.IsNullOrWhiteSpace(name)) throw new InputException(InputError.Unprocessable, "an organisation needs a name (e.g. \"PMC GIS cell\").");
        if (!Organisation.IsKind(kind)) throw new InputException(InputError.Unprocessable, $"kind '{kind}' is not one of {Organisation.Kinds}.");
        await using var command = Command("INSERT INTO organisations (id, name, kind) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING", id, name.Trim(), kind);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0) throw new InputException(InputError.Conflict, $"organisation '{id}' already exists.");
        return (await GetOrganisationAsync(id, cancellationToken))!;
    }

    public async Task<Organisation?> GetOrganisationAsync(string id, CancellationToken cancellationToken = default) =>
        (await ReadOrganisationsAsync("WHERE id = $1", cancellationToken, id)).FirstOrDefault();

    public Task<List<Organisation>> ListOrganisationsAsync(CancellationToken cancellationToken = default) =>
        ReadOrganisationsAsync("ORDER BY id", cancellationToken);

    private async Task<List<Organisation>> ReadOrganisationsAsync(string where, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = Command($"SELECT id, name, kind, created_at FROM organisations {where}", values);
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<Organisation>();
        while (await r.ReadAsync(cancellationToken)) list.Add(new Organisation(r.GetString(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3)));
        return list;
    }

    public async Task<UserAccount> CreateUserAsync(string name, Role role, string? organisation, string? passwordHash, string? displayName = null, CancellationToken cancellationToken = default)
    {
        if (!UserName().IsMatch(name))
            throw new InputException(InputError.Unprocessable, $"user name '{name}' is not allowed: use 1-63 lower-case letters, digits, '.', '_' and '-' (e.g. 'asha.k').");
        await CheckMembershipAsync(role, organisation, cancellationToken);
        await using var command = Command("""
            INSERT INTO users (name, role, organisation_id, password_hash, display_name) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING
            """, name, role.ToName(), organisation, passwordHash, displayName);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0) throw new InputException(InputError.Conflict, $"user '{name}' already exists.");
        return (await GetUserAsync(name, cancellationToken))!;
    }

    /// <summary>Sets a user's role and organisation; sign-in cookies issued before stop working.</summary>
    public async Task<UserAccount> SetRoleAsync(string name, Role role, string? organisation, CancellationToken cancellationToken = default)
    {
        await CheckMembershipAsync(role, organisation, cancellationToken);
        await using var command = Command("UPDATE users SET role = $2, organisation_id = $3, security_stamp = gen_random_uuid() WHERE name = $1", name, role.ToName(), organisation);
        return await ChangedAsync(command, name, cancellationToken);
    }

    public async Task<UserAccount> SetPasswordAsync(string name, string passwordHash, CancellationToken cancellationToken = default)
    {
        await using var command = Command("UPDATE users SET password_hash = $2, security_stamp = gen_random_uuid() WHERE name = $1", name, passwordHash);
        return await ChangedAsync(command, name, cancellationToken);
    }

    /// <summary>A new hash of the same password (more iterations): the stamp stays, so the user stays signed in.</summary>
    public async Task RehashAsync(long userId, string passwordHash, CancellationToken cancellationToken = default)
    {
        await using var command = Command("UPDATE users SET password_hash = $2 WHERE id = $1", userId, passwordHash);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<UserAccount> SetDisabledAsync(string name, bool disabled, CancellationToken cancellationToken = default)
    {
        await using var command = Command("UPDATE users SET disabled = $2, security_stamp = gen_random_uuid() WHERE name = $1", name, disabled);
        return await ChangedAsync(command, name, cancellationToken);
    }

    public async Task<UserAccount?> GetUserAsync(string name, CancellationToken cancellationToken = default) =>
        (await ReadUsersAsync("WHERE u.name = $1", cancellationToken, name)).FirstOrDefault()?.User;

    public async Task<IReadOnlyList<UserAccount>> ListUsersAsync(CancellationToken cancellationToken = default) =>
        (await ReadUsersAsync("ORDER BY u.name", cancellationToken)).Select(u => u.User).ToList();

    public async Task<SignInRecord?> GetSignInAsync(string name, CancellationToken cancellationToken = default) =>
        (await ReadUsersAsync("WHERE u.name = $1", cancellationToken, name)).FirstOrDefault();

    public async Task<SignInRecord?> GetSignInAsync(long id, CancellationToken cancellationToken = default) =>
        (await ReadUsersAsync("WHERE u.id = $1", cancellationToken, id)).FirstOrDefault();

    public async Task<bool> AnyAdminAsync(CancellationToken cancellationToken = default)
    {
        await using var command = Command("SELECT EXISTS (SELECT 1 FROM users WHERE role = 'admin' AND NOT disabled)");
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Stores a new key's hash for the user and returns its listing; the key itself is the caller's to show, once.</summary>
    public async Task<ApiKeyInfo> AddKeyAsync(long userId, string label, ApiKeys.Issued key, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(label) || label.Length > 200) throw new InputException(InputError.Unprocessable, "a key needs a label of 1-200 characters saying what it is for (e.g. \"QGIS on the survey laptop\").");
        await using var command = Command("INSERT INTO api_keys (user_id, label, prefix, sha256) VALUES ($1, $2, $3, $4) RETURNING id", userId, label.Trim(), key.Prefix, key.Sha256);
        var id = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return (await ReadKeysAsync("WHERE k.id = $1", cancellationToken, id)).Single();
    }

    /// <summary>The active user a key belongs to (not revoked, user not disabled), noting when it was last used (at most once a minute).</summary>
    public async Task<SignInRecord?> FindByKeyAsync(string sha256, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var touch = Command("UPDATE api_keys SET last_used_at = now() WHERE sha256 = $1 AND revoked_at IS NULL AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')", sha256);
            await touch.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception e) when (DatabaseFaults.Classify(e) is { Timeout: false } && !cancellationToken.IsCancellationRequested)
        {
            // The primary is away (a failover): the key still signs its user in, read from the replica; "last used" waits.
        }
        return (await ReadUsersAsync("JOIN api_keys k ON k.user_id = u.id AND k.sha256 = $1 AND k.revoked_at IS NULL WHERE NOT u.disabled", cancellationToken, sha256)).FirstOrDefault();
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListKeysAsync(long? userId, CancellationToken cancellationToken = default) =>
        userId is { } id ? await ReadKeysAsync("WHERE k.user_id = $1 ORDER BY k.id", cancellationToken, id) : await ReadKeysAsync("ORDER BY k.id", cancellationToken);

    /// <summary>Revokes a key of <paramref name="userId"/> (any user's when null); false when there is no such active key.</summary>
    public async Task<bool> RevokeKeyAsync(long keyId, long? userId, CancellationToken cancellationToken = default)
    {
        await using var command = userId is { } owner
            ? Command("UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL", keyId, owner)
            : Command("UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", keyId);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private async Task CheckMembershipAsync(Role role, string? organisation, CancellationToken cancellationToken)
    {
        if (organisation is null)
        {
            if (role == Role.Contributor) throw new InputException(InputError.Unprocessable, "a contributor belongs to an organisation: give one (srd orgs list shows them).");
            return;
        }
        if (await GetOrganisationAsync(organisation, cancellationToken) is null)
            throw new InputException(InputError.NotFound, $"organisation '{organisation}' does not exist; create it first (srd orgs add {organisation} --name ... --kind city|ngo|other).");
    }

    private async Task<UserAccount> ChangedAsync(NpgsqlCommand command, string name, CancellationToken cancellationToken)
    {
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0) throw new InputException(InputError.NotFound, $"user '{name}' does not exist.");
        return (await GetUserAsync(name, cancellationToken))!;
    }

    private Task<List<SignInRecord>> ReadUsersAsync(string where, CancellationToken cancellationToken, params object[] values) =>
        _failover.ReadAsync(dataSource, connection => ReadUsersAsync(connection, where, cancellationToken, values), cancellationToken);

    private static async Task<List<SignInRecord>> ReadUsersAsync(NpgsqlConnection connection, string where, CancellationToken cancellationToken, object[] values)
    {
        await using var command = new NpgsqlCommand($"{SelectUser} {where}", connection);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        var users = new List<SignInRecord>();
        while (await r.ReadAsync(cancellationToken))
        {
            Roles.TryParse(r.GetString(3), out var role);
            var user = new UserAccount(r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), role,
                r.IsDBNull(4) ? null : r.GetString(4), r.GetBoolean(5), r.GetFieldValue<DateTimeOffset>(6));
            users.Add(new SignInRecord(user, r.IsDBNull(7) ? null : r.GetString(7), r.GetGuid(8)));
        }
        return users;
    }

    private async Task<List<ApiKeyInfo>> ReadKeysAsync(string where, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = Command($"""
            SELECT k.id, u.name, k.label, k.prefix, k.created_at, k.last_used_at, k.revoked_at FROM api_keys k JOIN users u ON u.id = k.user_id {where}
            """, values);
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<ApiKeyInfo>();
        while (await r.ReadAsync(cancellationToken))
            keys.Add(new ApiKeyInfo(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetFieldValue<DateTimeOffset>(4),
                r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5), r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6)));
        return keys;
    }

    /// <summary>A command with positional values; null is sent as a typed NULL.</summary>
    private NpgsqlCommand Command(string sql, params object?[] values)
    {
        var command = dataSource.CreateCommand(sql);
        foreach (var value in values)
            command.Parameters.Add(value is null ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text } : new NpgsqlParameter { Value = value });
        return command;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$")]
    private static partial Regex UserName();
}
