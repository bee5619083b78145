using System.Diagnostics;
using System.Globalization;
using SpatialReadiness.Checks;
using SpatialReadiness.Checks.Report;
using SpatialReadiness.Checks.Scoring;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Core.Readiness;
using SpatialReadiness.PostGis.Layers;
using SpatialReadiness.PostGis.Readiness;

namespace SpatialReadiness.Cli.Commands;

/// <summary>
/// srd check --city C [--html FILE] [--if-stale]: runs the readiness check, prints the score and where the time went.
/// With --if-stale it does nothing when the newest run already read exactly the city's current layers.
/// </summary>
internal static class CheckCommand
{
    public static async Task<int> RunAsync(Arguments arguments, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        var city = arguments.Required("city", "pune");
        var html = arguments.Option("html");
        var by = arguments.Option("by") ?? Environment.UserName;
        var ifStale = arguments.Flag("if-stale");
        arguments.RejectUnknown();

        await using var dataSource = await Store.OpenAsync(cancellationToken);
        var runs = new CheckRuns(dataSource);
        if (ifStale && await runs.LatestScoreAsync(city, cancellationToken) is { } latest
            && latest.InputHash == CityScorer.InputHash(await new LayerStore(dataSource).ListLayersAsync(city, cancellationToken)))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{city}: the newest check is up to date (run {latest.RunId}, SRS-20 {latest.Srs20:0.00})"));
            return 0;
        }
        var (run, created) = await runs.QueueAsync(city, RuleSet.Version, by, cancellationToken);
        if (!created) throw new InputException(InputError.Conflict, $"a check of '{city}' is already {run.Status} (run {run.Id}); wait for it to finish.");
        var interactive = !Console.IsErrorRedirected;
        var clock = Stopwatch.StartNew();
        var score = await runs.ExecuteAsync(run.Id, (database, data, ct) => new CityCheck(database).RunAsync(data, ct),
            (done, total, step) => errors.Write(string.Create(CultureInfo.InvariantCulture,
                $"{(interactive ? "\r\u001b[K" : "")}  [{done,3}/{total}] {step}{(interactive ? "" : "\n")}")),
            cancellationToken);
        if (interactive) errors.WriteLine();
        clock.Stop();
        var finished = (await runs.GetAsync(run.Id, cancellationToken))!;
        Print(output, score, finished, clock.Elapsed);

        if (html is not null)
        {
            var findings = new Findings(dataSource);
            var query = new FindingQuery(run.Id, Limit: ReadinessReport.FindingsShown);
            await File.WriteAllTextAsync(html, ReadinessReport.ToHtml(score, await findings.ReadAsync(query, cancellationToken),
                await findings.CountAsync(query, cancellationToken), boundary: await runs.BoundaryAsync(run.Id, cancellationToken)), cancellationToken);
            output.WriteLine($"report written to {html}");
        }
        return 0;
    }

    private static void Print(TextWriter output, ReadinessScore score, CheckRun run, TimeSpan elapsed)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"{score.City}: SRS-20 {score.Srs20:0.00} / 20 (SRS-100 {score.Srs100:0.0})   rule set {score.RuleSetVersion}, run {score.RunId}"));
        output.WriteLine("  " + string.Join("   ", score.Parts.Select(p => string.Create(c, $"{p.Code} {p.Marks:0.00}/{p.MaxMarks:0}"))));
        output.WriteLine(string.Create(c, $"  city: {score.Boundary.Source}{(score.Boundary.AreaKm2 is { } area ? $", {area:0.00} km²" : "")}, {score.Boundary.ExclusionZones} exclusion zone(s)"));
        output.WriteLine(string.Create(c, $"  {"layer",-36} {"kind",-9} {"features",10} {"quality",8}  gate or worst rule"));
        foreach (var layer in score.Layers)
        {
            var worst = layer.Rules.Where(r => r.Lost > 0).OrderByDescending(r => r.Lost).FirstOrDefault();
            var note = layer.Gate ?? (worst is null ? "" : string.Create(c, $"{worst.Rule} -{worst.Lost:0.0} ({worst.Offending:N0} of {worst.Population:N0})"));
            output.WriteLine(string.Create(c, $"  {layer.Layer,-36} {layer.Kind,-9} {layer.FeatureCount,10:N0} {layer.Quality,8:0.0}  {note}"));
        }
        output.WriteLine(string.Create(c, $"  findings: {run.FindingCount:N0}  (GET {score.FindingsUrl}; report: {score.ReportUrl})"));
        var slowest = score.Layers.SelectMany(l => l.Rules.Select(r => (l.Layer, r.Rule, r.ElapsedMs))).OrderByDescending(r => r.ElapsedMs).Take(3);
        output.WriteLine(string.Create(c, $"  took {elapsed.TotalSeconds:0.0} s; slowest rules: {string.Join(", ", slowest.Select(s => $"{s.Layer} {s.Rule} {s.ElapsedMs:N0} ms"))}"));
    }
}
