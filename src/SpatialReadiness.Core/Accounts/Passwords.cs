using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SpatialReadiness.Core.Accounts;

/// <summary>
/// Password hashes: PBKDF2-HMAC-SHA512 with a 16-byte random salt and 210,000 iterations (OWASP's 2023 figure for
/// SHA-512; ASP.NET Core's PasswordHasher v3 uses 100,000), stored as "pbkdf2-sha512$iterations$salt$hash" (base64).
/// The iteration count is stored, so raising it later re-hashes each password at its owner's next login.
/// </summary>
public static class Passwords
{
    public const int Iterations = 210_000;
    public const int MinLength = 10;
    /// <summary>Longer ones are refused before hashing: PBKDF2 costs grow with the password's length, so a megabyte "password" would cost CPU per guess.</summary>
    public const int MaxLength = 256;
    private const string Scheme = "pbkdf2-sha512";

    public static string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA512, 32);
        return string.Create(CultureInfo.InvariantCulture, $"{Scheme}${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    /// <summary>
    /// Whether <paramref name="password"/> matches <paramref name="stored"/>, compared in constant time; with no stored
    /// hash (no such user, or a user without a password) a decoy is checked, so unknown names take as long as known ones.
    /// <paramref name="rehash"/>: the hash has fewer iterations than now.
    /// </summary>
    public static bool Verify(string password, string? stored, out bool rehash)
    {
        rehash = false;
        if (stored is null)
        {
            Verify(password, Decoy.Value, out _);
            return false;
        }
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations)) return false;
        byte[] salt, expected;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            expected = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA512, expected.Length);
        rehash = iterations < Iterations;
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static readonly Lazy<string> Decoy = new(() => Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24))));

    /// <summary>A new random password: 20 characters from an alphabet without look-alikes (~115 bits).</summary>
    public static string Generate()
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return RandomNumberGenerator.GetString(alphabet, 20);
    }

    /// <summary>Why a password is refused, or null when it is acceptable.</summary>
    public static string? Weakness(string? password) =>
        password is null || password.Length < MinLength ? $"a password needs at least {MinLength} characters."
        : password.Length > MaxLength ? $"a password may have at most {MaxLength} characters."
        : password.Contains('\0') ? "a password may not contain the NUL character." : null;
}
