using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SpatialReadiness.Server.Tests.Infrastructure;

/// <summary>
/// Approved-file snapshots: a public document is compared with its approved copy committed beside the test
/// (Documents/approved/{name}), so any change to it is a visible diff in review. What differs from run to run (the
/// host and port, timestamps) is normalised first; JSON is indented so a diff shows the member that changed. On a
/// difference the test fails with the first differing lines and writes {name}.received beside the approved file;
/// SR_APPROVE=1 (or moving .received over the approved file) accepts the new version.
/// </summary>
public static partial class Approved
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Json(string name, string json, [CallerFilePath] string caller = "") =>
        Text(name, JsonNode.Parse(json)!.ToJsonString(Indented), caller);

    public static void Text(string name, string text, [CallerFilePath] string caller = "")
    {
        var directory = Path.Combine(Path.GetDirectoryName(caller)!, "approved");
        var approvedPath = Path.Combine(directory, name);
        var receivedPath = approvedPath + ".received";
        var received = Normalise(text).TrimEnd() + "\n";
        if (Environment.GetEnvironmentVariable("SR_APPROVE") == "1")
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(approvedPath, received);
        }
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath) : null;
        if (approved == received)
        {
            File.Delete(receivedPath);
            return;
        }
        Directory.CreateDirectory(directory);
        File.WriteAllText(receivedPath, received);
        Assert.Fail(approved is null
            ? $"{name} has no approved version yet: review {receivedPath} and commit it without '.received' (or run with SR_APPROVE=1)."
            : $"{name} changed. If the change is meant, approve it (move {receivedPath} over the approved file, or run with SR_APPROVE=1).\n{Diff(approved, received)}");
    }

    /// <summary>Host and port (the test server's, or a free port's), timestamps and durations that change per run.</summary>
    public static string Normalise(string text)
    {
        text = HostPattern().Replace(text, "http://host");
        text = TimestampPattern().Replace(text, "<timestamp>");
        return text;
    }

    /// <summary>The differing lines with their numbers, a few of each side, enough to see the change in a test log.</summary>
    public static string Diff(string approved, string received)
    {
        var a = approved.Split('\n');
        var b = received.Split('\n');
        var first = 0;
        while (first < a.Length && first < b.Length && a[first] == b[first]) first++;
        int lastA = a.Length - 1, lastB = b.Length - 1;
        while (lastA > first && lastB > first && a[lastA] == b[lastB]) { lastA--; lastB--; }
        var lines = new List<string> { $"@@ line {first + 1} @@" };
        for (var i = Math.Max(0, first - 2); i < first; i++) lines.Add("  " + a[i]);
        lines.AddRange(a[first..(Math.Min(lastA, first + 19) + 1)].Select(l => "- " + l));
        if (lastA >= first + 20) lines.Add($"- ... {lastA - first - 19} more");
        lines.AddRange(b[first..(Math.Min(lastB, first + 19) + 1)].Select(l => "+ " + l));
        if (lastB >= first + 20) lines.Add($"+ ... {lastB - first - 19} more");
        return string.Join('\n', lines);
    }

    [GeneratedRegex(@"https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?")]
    private static partial Regex HostPattern();

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")]
    private static partial Regex TimestampPattern();
}
