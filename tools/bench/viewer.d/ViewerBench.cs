#:package Microsoft.Playwright
#:property PublishAot=false
// Viewer benchmark client (tools/bench/viewer): loads the viewer in Debian's Chromium and reads the page's own
// sr:first-render mark (navigation start to the first complete render of the city's layers), cold (a new browser
// context each time: nothing cached) and warm (a reload in the same context), and prints each run and the median.
// Usage: dotnet run ViewerBench.cs -- <viewer URL> <runs>
using System.Globalization;
using Microsoft.Playwright;

var (url, runs) = (args[0], int.Parse(args[1], CultureInfo.InvariantCulture));
using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
{
    ExecutablePath = "/usr/bin/chromium",
    Headless = true,
    Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});

async Task<double> FirstRender(IPage page, Func<Task> navigate)
{
    await navigate();
    var mark = await page.WaitForFunctionAsync("() => document.documentElement.dataset.firstRenderMs", null, new PageWaitForFunctionOptions { Timeout = 60_000 });
    return double.Parse(await mark.JsonValueAsync<string>(), CultureInfo.InvariantCulture);
}

// One load first, not counted: the server's tile cache and PostgreSQL's buffers warm up, as on a server in use.
await using (var warmUp = await browser.NewContextAsync())
{
    var page = await warmUp.NewPageAsync();
    await FirstRender(page, () => page.GotoAsync(url));
}

var cold = new List<double>();
var warm = new List<double>();
for (var i = 0; i < runs; i++)
{
    await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 768 } });
    var page = await context.NewPageAsync();
    cold.Add(await FirstRender(page, () => page.GotoAsync(url)));
    warm.Add(await FirstRender(page, () => page.ReloadAsync()));
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
string Row(string name, List<double> values) =>
    $"| {name} | {runs} | {string.Join(", ", values.Select(v => v.ToString("0", CultureInfo.InvariantCulture)))} | {Median(values):0} | {Median(values) / 2000:0.00}x |";
Console.WriteLine("| load | runs | first render ms | median ms | median / 2 s budget |");
Console.WriteLine("|---|---:|---|---:|---:|");
Console.WriteLine(Row("cold (new browser context)", cold));
Console.WriteLine(Row("warm (reload, assets cached)", warm));
