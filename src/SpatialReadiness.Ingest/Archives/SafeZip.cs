using System.IO.Compression;
using SpatialReadiness.Core.Ingest;

namespace SpatialReadiness.Ingest.Archives;

/// <summary>
/// Unpacks an uploaded zip into a private folder, refusing what would hurt the server: entries that climb out of the
/// folder (path traversal), and more unpacked bytes than the limit (a zip bomb), counted as written, not as declared.
/// </summary>
internal static class SafeZip
{
    public static IReadOnlyList<string> Extract(string zipPath, string destination, long maxUnpackedBytes)
    {
        ZipArchive archive;
        try { archive = ZipFile.OpenRead(zipPath); }
        catch (InvalidDataException e) { throw new InputException(InputError.Malformed, $"the zip file cannot be opened: {e.Message}"); }
        using (archive)
        {
            var files = archive.Entries.Where(e => !e.FullName.EndsWith('/')).ToList();
            if (files.Count == 0)
                throw new InputException(InputError.Malformed, "the zip file is empty; it should hold a Shapefile (.shp, .shx, .dbf, .prj).");
            var root = Path.GetFullPath(destination) + Path.DirectorySeparatorChar;
            var extracted = new List<string>();
            long total = 0;
            foreach (var entry in files)
            {
                var target = Path.GetFullPath(Path.Combine(root, entry.FullName));
                if (!target.StartsWith(root, StringComparison.Ordinal) || entry.FullName.Contains(".."))
                    throw new InputException(InputError.Malformed,
                        $"zip entry '{entry.FullName}' points outside the archive (path traversal); the upload was refused.");
                try
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    total = Unpack(entry, target, total, maxUnpackedBytes);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException && Collides(target, root))
                {
                    throw new InputException(InputError.Malformed,
                        $"zip entry '{entry.FullName}' collides with another entry (one name used as both a file and a folder); repack the archive.");
                }
                catch (InvalidDataException e)
                {
                    throw new InputException(InputError.Malformed, $"zip entry '{entry.FullName}' cannot be unpacked: {e.Message}");
                }
                extracted.Add(target);
            }
            return extracted;
        }
    }

    private static long Unpack(ZipArchiveEntry entry, string target, long total, long maxUnpackedBytes)
    {
        using var input = entry.Open();
        using var output = File.Create(target);
        var buffer = new byte[81920];
        int read;
        while ((read = input.Read(buffer)) > 0)
        {
            total += read;
            if (total > maxUnpackedBytes)
                throw new InputException(InputError.TooLarge,
                    $"the zip unpacks to more than {maxUnpackedBytes / (1 << 20)} MiB (at entry '{entry.FullName}'); refused as a possible zip bomb. Split the data or raise the unpack limit.");
            output.Write(buffer, 0, read);
        }
        return total;
    }

    /// <summary>Whether a folder on the way to <paramref name="target"/> already exists as a file.</summary>
    private static bool Collides(string target, string root)
    {
        for (var folder = Path.GetDirectoryName(target); folder is not null && folder.Length >= root.Length; folder = Path.GetDirectoryName(folder))
            if (File.Exists(folder)) return true;
        return Directory.Exists(target);
    }
}
