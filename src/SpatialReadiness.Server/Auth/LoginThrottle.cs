namespace SpatialReadiness.Server.Auth;

/// <summary>
/// Failed sign-ins, counted in sliding windows (successes are never counted):
/// <list type="bullet">
/// <item>per name and address: <see cref="PerNamePer15Minutes"/> failures in 15 minutes refuse that name from that
/// address (429) until the oldest of them is 15 minutes old, which is what Retry-After says;</item>
/// <item>per address, any names: <see cref="PerAddressPerMinute"/> failures a minute refuse the address likewise;</item>
/// <item>per name, any address: past <see cref="PerNamePer15Minutes"/> failures every attempt on the name is only
/// slowed (answered after a delay), never refused, so guessing under someone's name locks out nobody but the guesser,
/// while a guesser spread over many addresses still pays the delay for each guess.</item>
/// </list>
/// </summary>
public sealed class LoginThrottle(int perAddressPerMinute, int perNamePer15Minutes, TimeProvider? clock = null)
{
    public static readonly TimeSpan NameWindow = TimeSpan.FromMinutes(15), AddressWindow = TimeSpan.FromMinutes(1);
    /// <summary>The slowest a hot name's attempts are answered; each failure past the limit adds 200 ms up to this.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(3);
    private const int MaxKeys = 200_000;

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Dictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);
    private DateTimeOffset _lastSweep;

    public int PerAddressPerMinute { get; } = perAddressPerMinute;
    public int PerNamePer15Minutes { get; } = perNamePer15Minutes;

    /// <summary>What to do with a sign-in attempt before the password is checked.</summary>
    public readonly record struct Verdict(TimeSpan? RetryAfter, TimeSpan Delay);

    public Verdict Check(string name, string address)
    {
        name = name.ToLowerInvariant();
        lock (_failures)
        {
            var now = _clock.GetUtcNow();
            var wait = Max(Wait(Pair(name, address), PerNamePer15Minutes, NameWindow, now), Wait(Address(address), PerAddressPerMinute, AddressWindow, now));
            var excess = Count(Name(name), NameWindow, now) - PerNamePer15Minutes;
            var delay = excess < 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Min(MaxDelay.TotalMilliseconds, 200.0 * (excess + 1)));
            return new Verdict(wait, delay);
        }
    }

    public void Failed(string name, string address)
    {
        name = name.ToLowerInvariant();
        lock (_failures)
        {
            var now = _clock.GetUtcNow();
            Sweep(now);
            foreach (var key in (string[])[Pair(name, address), Address(address), Name(name)])
            {
                if (!_failures.TryGetValue(key, out var times)) _failures[key] = times = new Queue<DateTimeOffset>();
                times.Enqueue(now);
                // Only the newest failures matter for any limit; an attacker cannot grow one queue without bound.
                while (times.Count > Math.Max(PerAddressPerMinute, PerNamePer15Minutes) * 2) times.Dequeue();
            }
        }
    }

    private static string Pair(string name, string address) => "p\n" + name + "\n" + address;
    private static string Address(string address) => "a\n" + address;
    private static string Name(string name) => "n\n" + name;

    /// <summary>How long until fewer than <paramref name="limit"/> failures remain in the window; null when fewer already.</summary>
    private TimeSpan? Wait(string key, int limit, TimeSpan window, DateTimeOffset now)
    {
        if (Count(key, window, now) < limit) return null;
        var times = _failures[key].ToArray();
        // The failure whose ageing out leaves limit - 1 in the window.
        return times[times.Length - limit] + window - now;
    }

    private int Count(string key, TimeSpan window, DateTimeOffset now)
    {
        if (!_failures.TryGetValue(key, out var times)) return 0;
        while (times.Count > 0 && times.Peek() <= now - window) times.Dequeue();
        return times.Count;
    }

    /// <summary>Drops keys whose failures have all aged out; bounded memory whatever names an attacker invents.</summary>
    private void Sweep(DateTimeOffset now)
    {
        if (now - _lastSweep < AddressWindow && _failures.Count < MaxKeys) return;
        _lastSweep = now;
        foreach (var (key, times) in _failures.ToList())
            if (times.Count == 0 || times.Last() <= now - NameWindow) _failures.Remove(key);
        if (_failures.Count >= MaxKeys)
            foreach (var key in _failures.OrderBy(f => f.Value.Last()).Take(_failures.Count - MaxKeys / 2).Select(f => f.Key).ToList())
                _failures.Remove(key);
    }

    private static TimeSpan? Max(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
