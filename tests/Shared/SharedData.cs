namespace SpatialReadiness.TestData;

/// <summary>
/// The real city layers in ../shared/data beside the repository (one file, compiled into every test project). When they are missing the test fails saying so:
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
                throw new InvalidOperationException(
                    $"REAL-DATA TEST CANNOT RUN: ../shared/data ({data}) is missing. Put the shared city layers beside the repository; this is a failure, not a skip.");
            var file = System.IO.Path.Combine(data, relative);
            return File.Exists(file) ? file : throw new FileNotFoundException($"REAL-DATA TEST CANNOT RUN: {file} is missing from ../shared/data.", file);
        }
        throw new InvalidOperationException("REAL-DATA TEST CANNOT RUN: SpatialReadiness.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A path named <paramref name="name"/> in a new empty temporary directory.</summary>
    public static string TempPath(string name) =>
        System.IO.Path.Combine(Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "srd-unit-" + Guid.NewGuid().ToString("N"))).FullName, name);

    public static string TempFile(string name, string content)
    {
        var path = TempPath(name);
        File.WriteAllText(path, content);
        return path;
    }

    public static string TempFile(string name, byte[] content)
    {
        var path = TempPath(name);
        File.WriteAllBytes(path, content);
        return path;
    }
}
