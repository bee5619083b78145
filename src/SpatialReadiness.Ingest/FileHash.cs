using System.Security.Cryptography;

namespace SpatialReadiness.Ingest;

public static class FileHash
{
    /// <summary>Lower-case hex SHA-256 of a file, recorded as the layer's provenance.</summary>
    public static async Task<string> Sha256Async(string path, CancellationToken cancellationToken = default)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
    }
}
