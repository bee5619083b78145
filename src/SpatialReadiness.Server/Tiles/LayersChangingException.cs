namespace SpatialReadiness.Server.Tiles;

/// <summary>
/// A tile's layers kept changing under every fresh look-up of them, so no tile could be made of the versions it would
/// be named after: answered 503 with Retry-After (ErrorAnswers).
/// </summary>
public sealed class LayersChangingException() : Exception("The tile's layers changed while it was being made, more than once; try again in a second.")
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);
}
