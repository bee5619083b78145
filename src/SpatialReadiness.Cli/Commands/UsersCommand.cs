using System.Globalization;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.PostGis.Accounts;

namespace SpatialReadiness.Cli.Commands;

/// <summary>
/// srd users: add users, set their role and organisation, set or generate passwords (read from stdin with
/// --password-stdin, never from the command line, where ps would show them), issue and revoke API keys (shown once),
/// enable and disable, list; and init-admin, which creates the first admin when there is none (tools/setup runs it).
/// </summary>
internal static class UsersCommand
{
    public const string Usage = """
        usage: srd users add NAME --role viewer|contributor|moderator|admin [--org ORG] [--display-name TEXT] [--password-stdin]
               srd users role NAME ROLE [--org ORG]      srd users password NAME [--password-stdin]
               srd users key NAME --label TEXT           srd users revoke KEY_ID
               srd users disable NAME | enable NAME      srd users list
               srd users init-admin [--name admin]       (password from SR_ADMIN_PASSWORD, else generated and printed once)
        """;

    public static async Task<int> RunAsync(Arguments arguments, TextWriter output, CancellationToken cancellationToken)
    {
        var action = arguments.Positional.FirstOrDefault();
        string Name() => arguments.Positional.ElementAtOrDefault(1) ?? throw new InputException(InputError.Malformed, Usage);
        switch (action)
        {
            case "add":
            {
                var name = Name();
                var role = ParseRole(arguments.Required("role", "contributor"));
                var organisation = arguments.Option("org");
                var displayName = arguments.Option("display-name");
                var fromStdin = arguments.Flag("password-stdin");
                arguments.RejectUnknown();
                var (password, generated) = NewPassword(fromStdin);
                await using var dataSource = await Store.OpenAsync(cancellationToken);
                var user = await new AccountStore(dataSource).CreateUserAsync(name, role, organisation, Passwords.Hash(password), displayName, cancellationToken);
                output.WriteLine($"created user {user.Name} ({Describe(user)})");
                if (generated) output.WriteLine($"password (shown once, stored only as a hash): {password}");
                return 0;
            }
            case "role":
            {
                var name = Name();
                var role = ParseRole(arguments.Positional.ElementAtOrDefault(2) ?? throw new InputException(InputError.Malformed, Usage));
                var organisation = arguments.Option("org");
                arguments.RejectUnknown();
                await using var dataSource = await Store.OpenAsync(cancellationToken);
                var accounts = new AccountStore(dataSource);
                var current = await accounts.GetUserAsync(name, cancellationToken) ?? throw new InputException(InputError.NotFound, $"user '{name}' does not exist.");
                var user = await accounts.SetRoleAsync(name, role, organisation ?? current.Organisation, cancellationToken);
                output.WriteLine($"{user.Name} is now {Describe(user)}; their sign-in sessions ended");
                return 0;
            }
            case "password":
            {
                var name = Name();
                var fromStdin = arguments.Flag("password-stdin");
                arguments.RejectUnknown();
                var (password, generated) = NewPassword(fromStdin);
                await using var dataSource = await Store.OpenAsync(cancellationToken);
                await new AccountStore(dataSource).SetPasswordAsync(name, Passwords.Hash(password), cancellationToken);
                output.WriteLine($"password of {name} changed; their sign-in sessions ended");
                if (generated) output.WriteLine($"password (shown once, stored only as a hash): {password}");
                return 0;
            }
            case "key":
            {
                var name = Name();
                var label = arguments.Required("label", "\"QGIS on the survey laptop\"");
                arguments.RejectUnknown();
                await using var dataSource = await Store.OpenAsync(cancellationToken);
                var accounts = new AccountStore(dataSource);
                var user = await accounts.GetUserAsync(name, cancellationToken) ?? throw new InputException(InputError.NotFound, $"user '{name}' does not exist.");
                var issued = ApiKeys.Issue();
                var key = await accounts.AddKeyAsync(user.Id, label, issued, cancellationToken);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"API key {key.Id} for {user.Name} ({key.Label}); shown once, stored only as its SHA-256:"));
                output.WriteLine(issued.Key);
                return 0;
            }
            case "revoke":
            {
                var text = Name();
                arguments.RejectUnknown();
                if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                    throw new InputException(InputError.Malformed, "srd users revoke takes a key id (srd users list shows them).");
                await using var dataSource = await Store.OpenAsync(cancellationToken);
                if (!await new AccountStore(dataSource).RevokeKeyAsync(id, null, cancellationToken))
                    throw new InputException(InputError.NotFound, $"there is no active key {id}.");
                output.WriteLine($"revoked key {id}");
                return 0;
            }
            case "disable" or "enable":
            {
                var name = Name();
                arguments.RejectUnknown();
                await using var dataSource = await Store.OpenAsync(cancellationToken);
                var user = await new AccountStore(dataSource).SetDisabledAsync(name, action == "disable", cancellationToken);
                output.WriteLine($"{user.Name} is {(user.Disabled ? "disabled: they can no longer sign in, and their keys stop working" : "enabled")}");
                return 0;
            }
            case "list":
            {
                arguments.RejectUnknown();
                await using var dataSource = await Store.OpenAsync(cancellationToken);
                var accounts = new AccountStore(dataSource);
                var keys = (await accounts.ListKeysAsync(null, cancellationToken)).Where(k => k.RevokedAt is null).ToLookup(k => k.User);
                foreach (var user in await accounts.ListUsersAsync(cancellationToken))
                {
                    output.WriteLine($"{user.Name,-20} {Describe(user)}{(user.DisplayName is null ? "" : $"  ({user.DisplayName})")}");
                    foreach (var key in keys[user.Name])
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"    key {key.Id} {key.Prefix}... {key.Label} (issued {key.CreatedAt:yyyy-MM-dd}, last used {(key.LastUsedAt is { } used ? used.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "never")})"));
                }
                return 0;
            }
            case "init-admin":
            {
                var name = arguments.Option("name") ?? "admin";
                arguments.RejectUnknown();
                await using var dataSource = await Store.OpenAsync(cancellationToken);
                var accounts = new AccountStore(dataSource);
                if (await accounts.AnyAdminAsync(cancellationToken))
                {
                    output.WriteLine("an admin exists already; nothing to do");
                    return 0;
                }
                var given = Environment.GetEnvironmentVariable("SR_ADMIN_PASSWORD");
                if (!string.IsNullOrEmpty(given) && Passwords.Weakness(given) is { } weakness) throw new InputException(InputError.Unprocessable, "SR_ADMIN_PASSWORD: " + weakness);
                var password = string.IsNullOrEmpty(given) ? Passwords.Generate() : given;
                var user = await accounts.CreateUserAsync(name, Role.Admin, null, Passwords.Hash(password), null, cancellationToken);
                output.WriteLine(string.IsNullOrEmpty(given)
                    ? $"created the first admin '{user.Name}' with password {password}  (shown once, stored only as a hash; change it with srd users password {user.Name})"
                    : $"created the first admin '{user.Name}' with the password in SR_ADMIN_PASSWORD");
                return 0;
            }
            default:
                throw new InputException(InputError.Malformed, Usage);
        }
    }

    private static Role ParseRole(string text) =>
        Roles.TryParse(text, out var role) ? role : throw new InputException(InputError.Malformed, $"role '{text}' is not one of {Roles.Names}.");

    private static string Describe(UserAccount user) =>
        $"{user.Role.ToName()}{(user.Organisation is null ? "" : " of " + user.Organisation)}{(user.Disabled ? ", disabled" : "")}";

    /// <summary>A password from the first line of standard input, or a generated one (then shown once).</summary>
    private static (string Password, bool Generated) NewPassword(bool fromStdin)
    {
        if (!fromStdin) return (Passwords.Generate(), true);
        var password = Console.In.ReadLine() ?? "";
        return Passwords.Weakness(password) is { } weakness ? throw new InputException(InputError.Unprocessable, weakness) : (password, false);
    }
}
