using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using NetTopologySuite.Geometries;
using SpatialReadiness.Checks.Report;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks.Tests.Report;

/// <summary>
/// The HTML report of a readiness score, read as a person reads it: the headline figures, each layer's quality, what
/// was declared, the findings escaped and in their own script, and a page that needs nothing from the network.
/// </summary>
public sealed class ReadinessReportTests
{
    private const string FindingsUrl = "https://srd.example/api/runs/7d0c/findings";
    private const string Hostile = "<script>alert(1)</script> & co";
    private const string Devanagari = "झोपडपट्टी 196: क्षेत्राचा 37.1 % भाग शहराबाहेर आहे";
    private const string Tamil = "வார்டு 12 எல்லைக்கு வெளியே";
    private const string Gate = "coordinates look like EPSG:3857 metres; read as 3857 the centroid is 80.336 E 26.434 N";

    private static readonly GeometryFactory Geometry = new(new PrecisionModel(), 4326);

    private static RuleOutcome Rule(string code, double weight, double tolerance, double errorRate, long findings, bool applicable = true, string? note = null) =>
        new(code, code.Replace('_', ' ').ToLowerInvariant(), weight, tolerance, applicable, note, 200, errorRate * 200, errorRate,
            applicable ? weight * Math.Min(1, errorRate / tolerance) : 0, findings, 12);

    private static ReadinessScore Score()
    {
        var wards = new LayerQuality(11, "pune-wards", "ward", "Electoral wards 2022 & zones", 3, 200, null, 87.5,
            [
                Rule("OUTSIDE_CITY", 25, 0.05, 0.01, 2),
                Rule("GEOM_INVALID", 15, 0.05, 0, 0),
                Rule("ID_NOT_UNIQUE", 5, 0.02, 0, 0, applicable: false, note: "no id field"),
            ],
            [new WarningCount("EDGE_MISMATCH", "edge mismatch", 3)],
            FindingsUrl + "?layer=11");
        var toilets = new LayerQuality(12, "pune-toilets", "asset", "Public toilets", 1, 200, null, 71.4,
            [Rule("OUTSIDE_CITY", 25, 0.05, 0.025, 5), Rule("LOW_PRECISION", 5, 0.10, 0.10, 20)],
            [],
            FindingsUrl + "?layer=12");
        var slums = new LayerQuality(13, "pune-slums", "slum", "Slums", 1, 477, Gate, 0, [], [], FindingsUrl + "?layer=13");
        ScoreItem[] a = [new("A1", "City boundary", 1, 1, "official boundary layer pune-boundary"), new("A2", "Wards", 1, 1, "pune-wards passes the gates")];
        ScoreItem[] b = [new("B1", "Served as OGC API Features", 1, 1, "all core layers"), new("B4", "Planning use", 1, 1, "Ward plan 2023 cites layer 11", Declared: true)];
        ScoreItem[] c = [new("C1", "Weighted layer quality", 6.4, 10, "10 x weighted mean of Q")];
        return new ReadinessScore("Pune", Guid.Parse("7d0c2a4e-1b3f-4c5d-8e9f-0a1b2c3d4e5f"), "v0",
            "3f9a0c1d2e4b5a6978c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2", "PostGIS 3.3.4; GEOS 3.11.1; PROJ 9.1.1",
            new DateTimeOffset(2025, 3, 14, 9, 26, 53, TimeSpan.FromHours(5.5)), 13.4, 67,
            new ReferenceBoundary("official", 10, "pune-boundary", 331.26, 2, 12.5),
            [new("A", "Layers exist", 2, 6, a), new("B", "Shared and used", 2, 4, b), new("C", "Quality", 6.4, 10, c)],
            [wards, toilets, slums], FindingsUrl, "https://srd.example/api/runs/7d0c/report");
    }

    private static List<Finding> Findings() =>
    [
        new("GATE_CRS", Severity.Gate, 13, "pune-slums", null, null, Gate, null),
        new("OUTSIDE_CITY", Severity.Error, 12, "pune-toilets", 196, null, Hostile, Geometry.CreatePoint(new Coordinate(73.8567412, 18.5204303))),
        new("OUTSIDE_CITY", Severity.Error, 11, "pune-wards", 7, null, Devanagari,
            Geometry.CreatePolygon([new(73.0, 18.0), new(73.2, 18.0), new(73.2, 18.2), new(73.0, 18.2), new(73.0, 18.0)])),
        new("OVERLAP", Severity.Error, 11, "pune-wards", 8, 9, Tamil, null),
    ];

    private static string Html(long? total = null)
    {
        var findings = Findings();
        return ReadinessReport.ToHtml(Score(), findings, total ?? findings.Count);
    }

    private static string Section(string html, string id)
    {
        var start = html.IndexOf($"<section id=\"{id}\">", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section {id}");
        return html[start..(html.IndexOf("</section>", start, StringComparison.Ordinal) + "</section>".Length)];
    }

    [Fact]
    public void Headline_shows_SRS20_and_SRS100()
    {
        var score = Section(Html(), "score");
        Assert.Contains("SRS-20</div><div class=\"value\">13.4 <span class=\"max\">/ 20</span>", score);
        Assert.Contains("SRS-100</div><div class=\"value\">67.0 <span class=\"max\">/ 100</span>", score);
        Assert.Contains("pune-boundary", score);
        Assert.Contains("331.26 km²", score);
        Assert.Contains("2 (12.5 km²)", score);
    }

    [Fact]
    public void Header_names_the_city_and_what_makes_the_run_reproducible()
    {
        var html = Html();
        Assert.Contains("<title>Spatial readiness of Pune</title>", html);
        Assert.Contains("<h1>Spatial readiness of Pune</h1>", html);
        Assert.Contains("7d0c2a4e-1b3f-4c5d-8e9f-0a1b2c3d4e5f", html);
        Assert.Contains("2025-03-14T09:26:53+05:30", html);
        Assert.Contains(">3f9a0c1d2e4b…</code>", html);
        Assert.Contains("PostGIS 3.3.4; GEOS 3.11.1; PROJ 9.1.1", html);
        Assert.True(html.IndexOf("<h1>", StringComparison.Ordinal) < html.IndexOf("id=\"score\"", StringComparison.Ordinal));
        Assert.True(html.IndexOf("id=\"parts\"", StringComparison.Ordinal) < html.IndexOf("id=\"quality\"", StringComparison.Ordinal));
        Assert.True(html.IndexOf("id=\"deductions\"", StringComparison.Ordinal) < html.IndexOf("id=\"findings\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Each_layer_appears_with_its_quality_and_a_gated_layer_with_its_gate_in_red()
    {
        var chart = Section(Html(), "quality");
        Assert.Contains("pune-wards (ward)", chart);
        Assert.Contains(">87.5</text>", chart);
        Assert.Contains("pune-toilets (asset)", chart);
        Assert.Contains(">71.4</text>", chart);
        Assert.Contains("pune-slums (slum)", chart);
        Assert.Matches($"fill=\"{SvgBarChart.AlertColour}\">coordinates look like EPSG:3857", chart);
        Assert.Equal(2, Regex.Count(chart, "<rect "));
    }

    [Fact]
    public void Deductions_sum_the_points_lost_per_rule_over_layers_and_list_each_layers_rules()
    {
        var deductions = Section(Html(), "deductions");
        var chart = deductions[..deductions.IndexOf("</svg>", StringComparison.Ordinal)];
        // OUTSIDE_CITY: 25 x 0.01/0.05 = 5 on the wards, 25 x 0.025/0.05 = 12.5 on the toilets.
        Assert.Matches("OUTSIDE_CITY</text><rect [^>]*/><text [^>]*>17.5</text>", chart);
        Assert.Matches("LOW_PRECISION</text><rect [^>]*/><text [^>]*>5</text>", chart);
        Assert.DoesNotContain("GEOM_INVALID", chart);
        Assert.Contains(">20</text>", chart); // the axis ends on a round number above 17.5
        Assert.Contains("<td class=\"num\">5 %</td>", deductions);
        Assert.Contains("<td class=\"num\">2.5 %</td>", deductions);
        Assert.Contains("no id field", deductions);
        Assert.Contains("EDGE_MISMATCH", deductions);
        Assert.Contains("Gate failed: " + Gate, deductions);
    }

    [Fact]
    public void Data_is_escaped_never_raw()
    {
        var html = Html();
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" & co", html);
        Assert.Contains("Electoral wards 2022 &amp; zones", html);
        Assert.DoesNotContain("wards 2022 & zones", html);
    }

    [Fact]
    public void Devanagari_and_Tamil_survive()
    {
        var html = Html();
        Assert.Contains("<meta charset=\"utf-8\">", html);
        Assert.Contains(Devanagari, html);
        Assert.Contains(Tamil, html);
    }

    [Fact]
    public void Findings_are_grouped_per_rule_worst_first_each_with_a_map_and_its_rows()
    {
        var findings = Section(Html(), "findings");
        // OUTSIDE_CITY cost 17.5 points; then the gate (no points, but a gate); then OVERLAP.
        var order = Regex.Matches(findings, "<h3 id=\"rule-([A-Z_]+)\"").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(["OUTSIDE_CITY", "GATE_CRS", "OVERLAP"], order);
        var outside = findings[findings.IndexOf("rule-OUTSIDE_CITY", StringComparison.Ordinal)..findings.IndexOf("rule-GATE_CRS", StringComparison.Ordinal)];
        Assert.Contains("17.5 points of layer quality lost", outside);
        Assert.Contains($"<a href=\"{FindingsUrl}?rule=OUTSIDE_CITY&amp;format=csv\">CSV</a>", outside);
        var svg = XElement.Parse(outside[outside.IndexOf("<svg", StringComparison.Ordinal)..(outside.IndexOf("</svg>", StringComparison.Ordinal) + 6)]);
        Assert.Single(svg.Elements("circle")); // the toilet, a point
        Assert.Contains(svg.Elements("path"), p => p.Attribute("fill")?.Value == "#c62828"); // the ward, an area
        Assert.Contains("<td class=\"loc\">73.85674 E 18.52043 N</td>", outside);
        Assert.Contains("<td class=\"loc\">73.10000 E 18.10000 N</td>", outside);
        Assert.Contains("<td>pune-slums</td><td class=\"num\">—</td>", findings);
        Assert.Contains("<td class=\"num\">8</td>", findings);
    }

    [Fact]
    public void Capped_findings_say_so_and_link_to_all_of_them()
    {
        var capped = Section(Html(total: 12_345), "findings");
        Assert.Contains($"12,345 findings in all; the whole list: <a href=\"{FindingsUrl}\">GeoJSON</a>", capped);
        Assert.Contains("this page draws and counts the first 4", capped);

        var whole = Section(Html(), "findings");
        Assert.DoesNotContain("the first", whole);
        Assert.Contains("4 findings in all", whole);
    }

    [Fact]
    public void The_title_names_the_city_and_the_report_prints()
    {
        var html = ReadinessReport.ToHtml(Score(), Findings(), 4, cityName: "Pune Municipal Corporation");
        Assert.Contains("<h1>Spatial readiness of Pune Municipal Corporation (Pune)</h1>", html);
        Assert.Contains("@media print", html);
        Assert.Contains("<dt>Rule set</dt><dd>v0</dd>", html);
        Assert.Matches("<dt>Engine</dt><dd>SpatialReadiness \\d+\\.\\d+", html);
    }

    [Fact]
    public void Declared_label_marks_only_the_declared_item()
    {
        var parts = Section(Html(), "parts");
        Assert.Single(Regex.Matches(parts, "class=\"declared\""));
        var row = parts.Split("<tr>").Single(r => r.Contains("Planning use", StringComparison.Ordinal));
        Assert.Contains("<span class=\"declared\">declared</span>", row);
        Assert.Contains("labelled declared rest on what the city stated", parts);
        Assert.Contains("<h3>C. Quality — 6.4 / 10</h3>", parts);
    }

    [Fact]
    public void Page_needs_nothing_from_the_network()
    {
        var html = Html();
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" src=", html, StringComparison.OrdinalIgnoreCase);
        // Only links to the findings the score itself names (the run's, and each layer's), never a resource.
        var allowed = Score().Layers.Select(l => l.FindingsUrl).Append(FindingsUrl).ToHashSet();
        // The per-rule downloads are the run's findings URL with a query (?rule=..., &format=csv).
        foreach (Match url in Regex.Matches(html, "https?://[^\"<\\s?]*", RegexOptions.IgnoreCase))
            Assert.Contains(url.Value, allowed.Select(u => u.Split('?')[0]));
        foreach (Match link in Regex.Matches(html, "<a href=\"(https?://[^\"?]*)"))
            Assert.Contains(link.Groups[1].Value, allowed.Select(u => u.Split('?')[0]));
    }

    [Theory]
    [InlineData("javascript:alert(1)", false)]
    [InlineData(" JavaScript:alert(1)", false)]
    [InlineData("data:text/html,x", false)]
    [InlineData("/api/runs/7d0c/findings?at=12:00", true)]
    [InlineData("HTTPS://srd.example/findings", true)]
    public void Only_web_and_relative_findings_urls_become_links(string url, bool linked)
    {
        var findings = Section(ReadinessReport.ToHtml(Score() with { FindingsUrl = url }, Findings(), 12_345), "findings");
        Assert.Equal(linked, findings.Contains("<a href=", StringComparison.Ordinal));
        Assert.DoesNotContain("href=\"javascript", findings, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\" javascript", findings, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Numbers_are_invariant_whatever_the_culture()
    {
        var before = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            var html = Html(total: 12_345);
            Assert.Contains(">13.4 <", html);
            Assert.Contains("12,345", html);
            Assert.Contains("73.85674 E", html);
            Assert.DoesNotContain("13,4", html);
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    [Fact]
    public void Document_is_well_formed()
    {
        var html = Html(total: 12_345);
        Assert.StartsWith("<!DOCTYPE html>\n<html lang=\"en\">", html);
        Assert.EndsWith("</body>\n</html>\n", html);
        Assert.Equal(Regex.Count(html, "<svg[ >]"), Regex.Count(html, "</svg>"));
        Assert.Equal(Regex.Count(html, "<table[ >]"), Regex.Count(html, "</table>"));
        Assert.Equal(Regex.Count(html, "<section[ >]"), Regex.Count(html, "</section>"));
        Assert.Equal(2 + 3, Regex.Count(html, "<svg[ >]")); // two charts, a map per rule with findings
        Assert.Equal(5 + 3, Regex.Count(html, "<table[ >]")); // parts and layers, a table per rule with findings
        // Every chart and table is well-formed XML on its own.
        foreach (var element in new[] { "svg", "table" })
            foreach (Match m in Regex.Matches(html, $"<{element}[ >].*?</{element}>", RegexOptions.Singleline))
                XElement.Parse(m.Value);
    }

    [Theory]
    [InlineData(17.5, 20)]
    [InlineData(5, 5)]
    [InlineData(0.3, 0.5)]
    [InlineData(101, 200)]
    [InlineData(0, 1)]
    public void Deduction_axis_ends_on_a_round_number(double largest, double axis) =>
        Assert.Equal(axis, SvgBarChart.NiceCeiling(largest), 9);

    [Fact]
    public void Long_labels_are_shortened_without_splitting_a_cluster()
    {
        var shortened = SvgBarChart.Shorten(Devanagari, 10);
        Assert.EndsWith("…", shortened);
        Assert.Equal(10, new StringInfo(shortened).LengthInTextElements);
        Assert.StartsWith(shortened[..^1], Devanagari);
        Assert.Equal("pune-wards", SvgBarChart.Shorten("pune-wards", 10));
    }
}
