using SpatialReadiness.Core.Ingest;

namespace SpatialReadiness.Server.Uploads;

/// <summary>A request body read whole (one feature, one contribution), refused past the upload limit as it arrives.</summary>
public static class RequestBody
{
    public static async Task<byte[]> ReadAsync(HttpRequest request, long max, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > max) throw new InputException(InputError.TooLarge, max >= 1 << 20 ? $"the body is larger than {max >> 20} MiB (SR_MAX_UPLOAD_MB)." : $"the body is larger than {max / 1024} KiB.");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    public static string Sha256(byte[] body) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body));
}
