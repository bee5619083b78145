namespace SpatialReadiness.Server.OgcFeatures.Cql2;

/// <summary>A CQL2 text the parser refuses: <see cref="Position"/> is the 1-based character where the problem starts.</summary>
public sealed class Cql2Exception(string message, int position) : Exception(message)
{
    public int Position { get; } = position;
}
