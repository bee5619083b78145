using SpatialReadiness.PostGis.Limits;

namespace SpatialReadiness.Server.Auth;

/// <summary>
/// Failed sign-ins, counted in sliding windows in PostgreSQL (<see cref="SharedLimits"/>), so the limits hold across
/// every server behind the proxy; successes are never counted:
/// <list type="bullet">
/// <item>per name and address: <see cref="PerNamePer15Minutes"/> failures in 15 minutes refuse that name from that
/// address (429) until the oldest of them is 15 minutes old, which is what Retry-After says;</item>
/// <item>per address, any names: <see cref="PerAddressPerMinute"/> failures a minute refuse the address likewise;</item>
/// <item>per name, any address: past <see cref="PerNamePer15Minutes"/> failures every attempt on the name is only
/// slowed (answered after a delay), never refused, so guessing under someone's name locks out nobody but the guesser,
/// while a guesser spread over many addresses still pays the delay for each guess.</item>
/// </list>
/// </summary>
public sealed class LoginThrottle(SharedLimits limits, int perAddressPerMinute, int perNamePer15Minutes)
{
    public static readonly TimeSpan NameWindow = TimeSpan.FromMinutes(15), AddressWindow = TimeSpan.FromMinutes(1);
    /// <summary>The slowest a hot name's attempts are answered; each failure past the limit adds 200 ms up to this.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(3);
    private const int DelayStepMs = 200;

    public int PerAddressPerMinute { get; } = perAddressPerMinute;
    public int PerNamePer15Minutes { get; } = perNamePer15Minutes;

    /// <summary>What to do with a sign-in attempt before the password is checked; <see cref="Attempt"/> is to settle once it is known.</summary>
    public readonly record struct Verdict(TimeSpan? RetryAfter, TimeSpan Delay, RecordedEvents Attempt);

    /// <summary>
    /// Counts the attempt as a failure first, then looks at the counts with it: parallel guesses each see the ones
    /// recorded before them, so no more than the limit get through, whatever their timing. A success or a refusal takes
    /// the count back (<see cref="SettleAsync"/>); a failure, or a client that hangs up, leaves it.
    /// </summary>
    public async Task<Verdict> CheckAsync(string name, string address, CancellationToken cancellationToken)
    {
        name = name.ToLowerInvariant();
        var attempt = await limits.RecordAsync([Pair(name, address), Address(address), Name(name)], cancellationToken);
        var countUpTo = PerNamePer15Minutes + 1 + (int)(MaxDelay.TotalMilliseconds / DelayStepMs);
        var (wait, nameEvents) = await limits.CheckAsync(
            [(Pair(name, address), PerNamePer15Minutes + 1, NameWindow), (Address(address), PerAddressPerMinute + 1, AddressWindow)],
            Name(name), NameWindow, countUpTo, cancellationToken);
        var excess = nameEvents - 1 - PerNamePer15Minutes;
        var delay = excess < 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Min(MaxDelay.TotalMilliseconds, DelayStepMs * (excess + 1.0)));
        return new Verdict(wait, delay, attempt);
    }

    /// <summary>The attempt was refused unchecked or the password was right: it is no failure.</summary>
    public Task SettleAsync(Verdict verdict) => limits.ForgetAsync(verdict.Attempt, CancellationToken.None);

    private static string Pair(string name, string address) => "sign-in name+address " + Digest(name + "\n" + address);
    private static string Address(string address) => "sign-in address " + Digest(address);
    private static string Name(string name) => "sign-in name " + Digest(name);

    /// <summary>Keys never hold what was typed as a name (a password typed into the name field, a NUL, a lone surrogate).</summary>
    private static string Digest(string value) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value)))[..32];
}
