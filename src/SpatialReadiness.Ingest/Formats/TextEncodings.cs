using System.Globalization;
using System.Text;

namespace SpatialReadiness.Ingest.Formats;

/// <summary>Looks up text encodings by the names files and users give them ("UTF-8", "1252", "windows-1252", "ANSI 1252").</summary>
public static class TextEncodings
{
    static TextEncodings() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static Encoding? ByName(string name)
    {
        var trimmed = name.Trim();
        if (trimmed.StartsWith("ANSI", StringComparison.OrdinalIgnoreCase)) trimmed = trimmed[4..].Trim();
        if (trimmed.StartsWith("CP", StringComparison.OrdinalIgnoreCase) && trimmed.Length > 2 && char.IsDigit(trimmed[2])) trimmed = trimmed[2..];
        if (trimmed.Equals("88591", StringComparison.Ordinal)) trimmed = "iso-8859-1";
        try
        {
            return int.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var codePage)
                ? Encoding.GetEncoding(codePage)
                : Encoding.GetEncoding(trimmed);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return null;
        }
    }
}
