namespace SpatialReadiness.Ingest.Tests;

/// <summary>
/// The real city layers in ../shared/data beside the repository. When they are missing the test fails saying so:
/// a real-data test that did not run must never look like a pass.
/// </summary>
public static class SharedData
{
    public static string Path(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(System.IO.Path.Combine(dir.FullName, "SpatialReadiness.sln"))) continue;
            var data = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, "..", "shared", "data"));
            if (!Directory.Exists(data))
                throw new InvalidOperationException($"REAL-DATA TEST DID NOT RUN: {data} is missing. Put the shared city layers beside the repository.");
            var file = System.IO.Path.Combine(data, relative);
            return File.Exists(file) ? file : throw new FileNotFoundException($"REAL-DATA TEST DID NOT RUN: {file} is missing.", file);
        }
        throw new InvalidOperationException("SpatialReadiness.sln not found above " + AppContext.BaseDirectory);
    }

    public static string TempFile(string name, string content)
    {
        var directory = Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "srd-unit-" + Guid.NewGuid().ToString("N"))).FullName;
        var path = System.IO.Path.Combine(directory, name);
        File.WriteAllText(path, content);
        return path;
    }
}
