using SpatialReadiness.Core.Accounts;

namespace SpatialReadiness.Server.Resilience;

/// <summary>The kinds of heavy work that are counted, each with its own limit.</summary>
public enum HeavyWork { Import, Check, FileContribution, Feed }

/// <summary>
/// How many of each kind of heavy work may run at once, server-wide. Over the limit a request is answered at once
/// (503, Retry-After) instead of queueing processes and connections behind the ones running. Anonymous callers share
/// a quarter of the slots (at least one; 429 when their share is taken), so signed-in work always finds room.
/// A lease is held for as long as the work runs, also when it runs after the answer (an async import, a check run).
/// </summary>
public sealed class WorkLimits(ServerOptions options)
{
    private readonly Pool[] _pools = [.. Enum.GetValues<HeavyWork>().Select(work => new Pool(options.Limit(work)))];

    public int Running(HeavyWork work) => _pools[(int)work].Total;

    /// <summary>A lease on a slot, or null with the answer to give.</summary>
    public (IDisposable? Lease, IResult? Refusal) TryEnter(HeavyWork work, Caller caller)
    {
        var pool = _pools[(int)work];
        var anonymous = !caller.IsAuthenticated;
        if (anonymous && Interlocked.Increment(ref pool.Anonymous) > pool.AnonymousLimit)
        {
            Interlocked.Decrement(ref pool.Anonymous);
            return (null, Refuse(StatusCodes.Status429TooManyRequests, $"anonymous {Describe(work)} are limited to {pool.AnonymousLimit} at once and that many are running; try again shortly, or sign in (an API key) for a larger share."));
        }
        if (Interlocked.Increment(ref pool.Total) > pool.Limit)
        {
            Interlocked.Decrement(ref pool.Total);
            if (anonymous) Interlocked.Decrement(ref pool.Anonymous);
            return (null, Refuse(StatusCodes.Status503ServiceUnavailable, $"the server is running as many {Describe(work)} as it allows at once ({pool.Limit}, {options.LimitSetting(work)}); try again shortly."));
        }
        return (new Lease(pool, anonymous), null);
    }

    private static IResult Refuse(int status, string detail) => new Busy(status, detail);

    private static string Describe(HeavyWork work) => work switch
    {
        HeavyWork.Import => "imports",
        HeavyWork.Check => "readiness checks",
        HeavyWork.FileContribution => "contributions from files",
        _ => "feeds and downloads",
    };

    private sealed class Pool(int limit)
    {
        public readonly int Limit = limit;
        public readonly int AnonymousLimit = Math.Max(1, limit / 4);
        public int Total;
        public int Anonymous;
    }

    private sealed class Lease(Pool pool, bool anonymous) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 1) return;
            Interlocked.Decrement(ref pool.Total);
            if (anonymous) Interlocked.Decrement(ref pool.Anonymous);
        }
    }

    private sealed class Busy(int status, string detail) : IResult
    {
        public Task ExecuteAsync(HttpContext http) =>
            FaultAnswers.WriteAsync(http, (status == 429 ? "Too many anonymous requests of this kind" : "The server is busy", "busy", detail), status, retryAfter: 10);
    }
}
