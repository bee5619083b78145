namespace SpatialReadiness.Server.Uploads;

/// <summary>
/// The disk (or quota) holding upload temp files is full: the server's fault, not the file's, so it is answered
/// 507 Insufficient Storage with Retry-After (see <see cref="Resilience.FaultAnswers"/>), the partial file removed.
/// </summary>
public sealed class TempSpaceFull(IOException inner)
    : Exception("the server has no room left to receive uploads (its temporary space is full); nothing was stored. Try again later, or tell the administrator (SR_TEMP_DIR).", inner)
{
    private const int NoSpace = 28, QuotaExceeded = 122; // ENOSPC, EDQUOT on Linux

    public static bool Is(IOException e) =>
        (e.HResult & 0xFFFF) is NoSpace or QuotaExceeded
        || e.HResult == unchecked((int)0x80070070) // ERROR_DISK_FULL on Windows
        || e.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase);
}
