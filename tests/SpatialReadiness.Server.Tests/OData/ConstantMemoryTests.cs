using System.Diagnostics;
using System.Text.Json;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.OData;

/// <summary>
/// A feed of a million points is served in constant memory: the server streams rows from PostGIS as it writes them,
/// so reading every feature (as one 150 MB GeoJSON download, and as OData pages by next link) must not grow the
/// server process by anything like the size of what it sent.
/// </summary>
[Collection(PostgisCollection.Name)]
public sealed class ConstantMemoryTests(ServerFixture server)
{
    private const int Points = 1_000_000;
    private const long Budget = 120L << 20; // 120 MiB of growth; holding the response would take more than its 150 MB

    [Fact]
    public async Task A_million_points_go_out_as_a_download_and_as_OData_pages_in_constant_memory()
    {
        var load = await SrdProcess.RunAsync(server.Database.ConnectionString,
            "demo", "--synthetic", "--city", "mem-million", "--wards", "300", "--slums", "10", "--assets", Points.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--dir", Gdal.TempDirectory());
        Assert.True(load.ExitCode == 0, load.Errors);
        var layer = await server.Database.ScalarAsync<long>("SELECT id FROM layers WHERE city_id = 'mem-million' AND kind = 'asset'");
        var rows = await server.Database.ScalarAsync<long>("SELECT feature_count FROM layers WHERE id = $1", layer);
        Assert.True(rows >= Points);

        using var process = Process.GetCurrentProcess();
        GC.Collect();
        process.Refresh();
        var baseline = process.WorkingSet64;
        var peak = baseline;
        void Sample()
        {
            process.Refresh();
            peak = Math.Max(peak, process.WorkingSet64);
        }

        // One response of every feature, read as it arrives and never held by the client.
        using (var response = await server.Client.GetAsync($"/api/layers/{layer}/export?format=geojson", HttpCompletionOption.ResponseHeadersRead))
        {
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync();
            var marker = "\"Feature\""u8.ToArray();
            var keep = marker.Length - 1; // the tail of one read, kept so a marker split across two reads still counts
            var buffer = new byte[keep + (1 << 16)];
            long bytes = 0, features = 0;
            var carried = 0;
            for (int read; (read = await body.ReadAsync(buffer.AsMemory(carried))) > 0;)
            {
                bytes += read;
                var filled = carried + read;
                features += buffer.AsSpan(0, filled).Count(marker);
                carried = Math.Min(keep, filled);
                buffer.AsSpan(filled - carried, carried).CopyTo(buffer);
                if (bytes % (16 << 20) < read) Sample();
            }
            Assert.Equal(rows, features);
            Assert.True(bytes > 100L << 20, $"the download was only {bytes} bytes");
        }
        Sample();

        // Every OData page by next link.
        long paged = 0;
        for (string? next = $"/odata/Features?$filter=LayerId eq {layer}&$select=Id,GeoJson"; next is not null;)
        {
            using var page = JsonDocument.Parse(await server.Client.GetStreamAsync(next));
            paged += page.RootElement.GetProperty("value").GetArrayLength();
            next = page.RootElement.TryGetProperty("@odata.nextLink", out var link) ? link.GetString() : null;
            if (paged % 100_000 == 0) Sample();
        }
        Sample();
        Assert.Equal(rows, paged);
        Assert.True(peak - baseline < Budget, $"the process grew by {(peak - baseline) >> 20} MiB while serving {rows:N0} features (budget {Budget >> 20} MiB)");
    }
}
