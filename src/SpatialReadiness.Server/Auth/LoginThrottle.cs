using System.Threading.RateLimiting;

namespace SpatialReadiness.Server.Auth;

/// <summary>
/// Sign-in attempts per user name (any address): a fixed window of 15 minutes, so guessing one account's password is
/// slow even from many addresses. The per-address limit is the "login" rate-limiting policy.
/// </summary>
public sealed class LoginThrottle(int attemptsPer15Minutes) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(name =>
        RateLimitPartition.GetFixedWindowLimiter(name, _ => new FixedWindowRateLimiterOptions { PermitLimit = attemptsPer15Minutes, Window = TimeSpan.FromMinutes(15) }));

    /// <summary>Counts an attempt for <paramref name="name"/>; null when allowed, else how long to wait.</summary>
    public TimeSpan? Attempt(string name)
    {
        using var lease = _limiter.AttemptAcquire(name.ToLowerInvariant());
        return lease.IsAcquired ? null : lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(15);
    }

    public void Dispose() => _limiter.Dispose();
}
