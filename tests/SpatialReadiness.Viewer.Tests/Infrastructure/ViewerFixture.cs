using System.Text.Json;
using Microsoft.Playwright;
using SpatialReadiness.Cli.Demo;

namespace SpatialReadiness.Viewer.Tests.Infrastructure;

/// <summary>
/// The real server over a fresh PostGIS database holding what the viewer tests look at (the demo city, checked; the
/// Mumbai slums from ../shared/data; an empty Jaipur to upload into), and Debian's Chromium driven by Playwright.
/// </summary>
public sealed class ViewerFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";
    public const string Mumbai = "mumbai", Jaipur = "jaipur";

    private IPlaywright _playwright = null!;

    public ServerFixture Server { get; } = new();
    public IBrowser Browser { get; private set; } = null!;
    public long MumbaiSlums { get; private set; }

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: the browser tests drive Debian's Chromium (tools/setup installs the chromium package).");
        Assert.True(File.Exists(Path.Combine(RepositoryRoot, "src/SpatialReadiness.Server/wwwroot/app/index.html")),
            "the viewer is not built: run tools/setup (npm ci && npm run build in viewer/).");
        var mumbaiSlums = SharedData.Path("mumbai/slumClusters.geojson");
        await Server.InitializeAsync();

        var demo = await SrdProcess.RunAsync(Server.Database.ConnectionString, "demo", "--dir", Gdal.TempDirectory());
        Assert.True(demo.ExitCode == 0, demo.Errors);
        await Server.Admin.RunCheckAsync(DemoCity.Id);
        await Server.Admin.CreateCityAsync(Mumbai, "Mumbai");
        MumbaiSlums = (await Server.Admin.UploadAsync(Mumbai, mumbaiSlums, "slum", ("title", "Mumbai slum clusters")).CreatedLayerAsync()).GetProperty("id").GetInt64();
        await Server.Admin.CreateCityAsync(Jaipur, "Jaipur");

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A new browser page (its own context: no shared cookies or cache) at the viewer with <paramref name="query"/>, once the map has drawn.</summary>
    public async Task<ViewerPage> OpenAsync(string query, int width = 1366, int height = 768)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height }, Locale = "en-IN" });
        var page = new ViewerPage(await context.NewPageAsync(), Server.BaseAddress);
        await page.GotoAsync(query);
        return page;
    }

    public Task<JsonElement> GetJsonAsync(string url) => Server.Client.GetJsonAsync(url);

    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SpatialReadiness.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("SpatialReadiness.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await Server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ViewerCollection : ICollectionFixture<ViewerFixture>
{
    public const string Name = "viewer";
}
