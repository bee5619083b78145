using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace SpatialReadiness.Viewer.Tests.Infrastructure;

/// <summary>
/// One browser page on the viewer, recording what a user (or their browser console) would notice: console errors,
/// uncaught exceptions, failed requests, every response; reading the map as drawn (its canvases composited, as
/// OpenLayers' own PNG export does) and saving screenshots under TestResults/viewer.
/// </summary>
public sealed class ViewerPage(IPage page, Uri server) : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly ConcurrentQueue<(string Url, int Status)> _responses = new();

    public IPage Page { get; } = page;

    public static string ScreenshotDirectory => Directory.CreateDirectory(Path.Combine(ViewerFixture.RepositoryRoot, "TestResults", "viewer")).FullName;

    public IReadOnlyList<string> Errors => [.. _errors];

    /// <summary>Milliseconds from navigation start to the first complete render of the city's layers (the page's sr:first-render mark).</summary>
    public int FirstRenderMs { get; private set; }

    public async Task GotoAsync(string query)
    {
        Page.Console += (_, message) => { if (message.Type == "error") _errors.Enqueue($"console: {message.Text}"); };
        Page.PageError += (_, error) => _errors.Enqueue($"page error: {error}");
        Page.RequestFailed += (_, request) =>
        {
            if (request.Failure is { } failure && !failure.Contains("ERR_ABORTED")) _errors.Enqueue($"request failed: {request.Url} {failure}");
        };
        Page.Response += (_, response) => _responses.Enqueue((response.Url, response.Status));
        await Page.GotoAsync(new Uri(server, query).ToString());
        var mark = await Page.WaitForFunctionAsync("() => document.documentElement.dataset.firstRenderMs", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        FirstRenderMs = int.Parse(await mark.JsonValueAsync<string>(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Signs in through the page's own form (Account panel), as a person does, and waits until it says who.</summary>
    public async Task SignInAsync(string name, string password = ServerFixture.Password)
    {
        await Page.Locator("#tool-account").ClickAsync();
        await Page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await Page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await Page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(Page.Locator("#account-who")).ToContainTextAsync($"Signed in as {name}");
    }

    /// <summary>Responses to tile requests of one layer (/tiles/{id}/z/x/y.mvt), by status.</summary>
    public IReadOnlyList<int> TileStatuses(long layerId) =>
        [.. _responses.Where(r => new Uri(r.Url).AbsolutePath.StartsWith($"/tiles/{layerId}/", StringComparison.Ordinal)).Select(r => r.Status)];

    /// <summary>Every URL the page received an answer from.</summary>
    public IReadOnlyList<string> ResponseUrls => [.. _responses.Select(r => r.Url)];

    public bool Requested(string pathAndQueryStart, int status = 200) =>
        _responses.Any(r => new Uri(r.Url).PathAndQuery.StartsWith(pathAndQueryStart, StringComparison.Ordinal) && r.Status == status);

    public void AssertNoErrors() => Assert.True(_errors.IsEmpty, "the page reported errors:\n" + string.Join("\n", _errors));

    /// <summary>
    /// Pixels of the map as the user sees it (every layer canvas composited with its opacity and transform over the
    /// map's background) for which <paramref name="test"/>, a JavaScript expression of r, g, b, is true.
    /// </summary>
    public Task<int> CountPixelsAsync(string test) => Page.EvaluateAsync<int>(@"test => {
        const viewport = document.querySelector('#map .ol-viewport');
        const { width, height } = viewport.getBoundingClientRect();
        const out = document.createElement('canvas');
        out.width = width; out.height = height;
        const ctx = out.getContext('2d', { willReadFrequently: true });
        ctx.fillStyle = getComputedStyle(document.getElementById('map')).backgroundColor;
        ctx.fillRect(0, 0, width, height);
        for (const canvas of viewport.querySelectorAll('.ol-layer canvas, canvas.ol-layer')) {
          if (!canvas.width) continue;
          const opacity = canvas.parentNode.style.opacity || canvas.style.opacity;
          ctx.globalAlpha = opacity === '' ? 1 : Number(opacity);
          const matrix = /^matrix\(([^(]*)\)$/.exec(canvas.style.transform);
          ctx.setTransform(...(matrix ? matrix[1].split(',').map(Number) : [1, 0, 0, 1, 0, 0]));
          ctx.drawImage(canvas, 0, 0);
        }
        const pixel = new Function('r', 'g', 'b', 'return ' + test);
        const data = ctx.getImageData(0, 0, width, height).data;
        let n = 0;
        for (let i = 0; i < data.length; i += 4) if (pixel(data[i], data[i + 1], data[i + 2])) n++;
        return n;
    }", test);

    /// <summary>
    /// The count of <see cref="CountPixelsAsync"/> once <paramref name="until"/> holds for it, or the last count after
    /// 15 s: the map draws in animation frames and tiles arrive when they arrive, so a test waits for what it expects.
    /// </summary>
    public async Task<int> PixelsWhenAsync(string test, Func<int, bool> until)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var count = await CountPixelsAsync(test);
            if (until(count) || DateTime.UtcNow > deadline) return count;
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Pixels passing <paramref name="test"/> once the map has settled (the same count twice, half a second apart):
    /// labels are placed after the shapes are drawn, and cover some of them.
    /// </summary>
    public async Task<int> SettledPixelsAsync(string test)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        var last = await CountPixelsAsync(test);
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            var count = await CountPixelsAsync(test);
            if (count == last) return count;
            last = count;
        }
        return last;
    }

    public async Task<string> ScreenshotAsync(string name)
    {
        var path = Path.Combine(ScreenshotDirectory, name + ".png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        return path;
    }

    /// <summary>The query of the page's current URL, which the viewer keeps up to date (the shareable link).</summary>
    public async Task<IReadOnlyDictionary<string, string>> LinkAsync() =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(await Page.EvaluateAsync<string>("() => location.search"))
            .ToDictionary(p => p.Key, p => p.Value.ToString());


    public async ValueTask DisposeAsync() => await Page.Context.CloseAsync();
}
