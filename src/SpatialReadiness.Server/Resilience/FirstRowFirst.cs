namespace SpatialReadiness.Server.Resilience;

/// <summary>
/// Streamed answers (feeds, items, downloads) run their query up to its first row before they write a byte: a query
/// that fails at once (the database gone, a statement timeout) then still gets a clean 503 problem from
/// <see cref="FaultAnswers"/>, not a 200 cut off after its opening bytes.
/// </summary>
public static class FirstRowFirst
{
    public static async Task<IAsyncEnumerable<T>> StartAsync<T>(this IAsyncEnumerable<T> rows, CancellationToken cancellationToken)
    {
        var enumerator = rows.GetAsyncEnumerator(cancellationToken);
        bool first;
        try { first = await enumerator.MoveNextAsync(); }
        catch
        {
            await enumerator.DisposeAsync();
            throw;
        }
        return Rest(enumerator, first);
    }

    private static async IAsyncEnumerable<T> Rest<T>(IAsyncEnumerator<T> enumerator, bool more)
    {
        try
        {
            while (more)
            {
                yield return enumerator.Current;
                more = await enumerator.MoveNextAsync();
            }
        }
        finally
        {
            await enumerator.DisposeAsync();
        }
    }
}
