using System.Security.Cryptography;
using System.Text;

namespace SpatialReadiness.Core.Accounts;

/// <summary>
/// API keys for scripts and QGIS: "srd_" and 32 random bytes (base64url), shown once when issued. Only the SHA-256 of
/// the whole key is stored (a key is random, so a slow hash adds nothing), with its first characters to recognise it.
/// </summary>
public static class ApiKeys
{
    public const string Marker = "srd_";

    public sealed record Issued(string Key, string Sha256, string Prefix);

    public static Issued Issue()
    {
        var key = Marker + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return new Issued(key, Sha256(key), key[..(Marker.Length + 6)]);
    }

    public static string Sha256(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static bool LooksLikeKey(string? text) => text is { Length: > 20 and < 100 } && text.StartsWith(Marker, StringComparison.Ordinal);
}
