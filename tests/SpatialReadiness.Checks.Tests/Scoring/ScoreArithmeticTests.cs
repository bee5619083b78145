using SpatialReadiness.Checks.Schemas;
using SpatialReadiness.Checks.Scoring;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks.Tests.Scoring;

/// <summary>The score's arithmetic against values computed by hand (docs/api/readiness.md).</summary>
public sealed class ScoreArithmeticTests
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Rule_set_weights_sum_to_100_and_every_code_is_unique()
    {
        Assert.Equal(100, RuleSet.Rules.Where(r => r.Severity == Severity.Error).Sum(r => r.Weight));
        Assert.Equal(RuleSet.Rules.Count, RuleSet.Rules.Select(r => r.Code).Distinct().Count());
        Assert.All(RuleSet.Rules.Where(r => r.Severity == Severity.Warning), r => Assert.Equal(0, r.Weight));
    }

    private static RuleOutcome Outcome(string rule, double weight, double tolerance, double offending, double population, bool applicable = true)
    {
        var rate = offending / population;
        return new RuleOutcome(rule, rule, weight, tolerance, applicable, null, population, offending, rate,
            applicable ? weight * Math.Min(1, rate / tolerance) : 0, (long)offending, 0);
    }

    [Fact]
    public void Layer_quality_is_the_weighted_share_of_credit_kept_over_the_rules_that_apply()
    {
        // 200 slums: 4 outside (2 % of a 5 % tolerance: 25 x 0.4 = 10 lost), 20 invalid (10 % > 5 %: all 15 lost),
        // ID not applicable (no id field: its 5 leave the sum). Applicable weights 25 + 15 + 10 = 50; lost 25.
        var outcomes = new[]
        {
            Outcome("OUTSIDE_CITY", 25, 0.05, 4, 200),
            Outcome("GEOM_INVALID", 15, 0.05, 20, 200),
            Outcome("OVERLAP", 10, 0.05, 0, 200),
            Outcome("ID_NOT_UNIQUE", 5, 0.02, 0, 200, applicable: false),
            Outcome("EDGE_MISMATCH", 0, 1, 3, 200),
        };
        var quality = LayerScorer.Score("pune", Layer(1, "slums", LayerKind.Slum), null, outcomes);
        Assert.Equal(100.0 * (50 - 25) / 50, quality.Quality, 9);
        Assert.Single(quality.Warnings);
        Assert.Equal("/api/cities/pune/findings?layer=slums", quality.FindingsUrl);

        var gated = LayerScorer.Score("pune", Layer(1, "slums", LayerKind.Slum), "no feature has a geometry", outcomes);
        Assert.Equal(0, gated.Quality);
    }

    [Fact]
    public void The_city_score_adds_parts_A_B_and_C_as_hand_computed()
    {
        var boundary = Layer(1, "boundary", LayerKind.Boundary, source: "PMC", custodian: "PMC GIS cell", survey: new DateOnly(2025, 1, 1));
        var wards = Layer(2, "wards", LayerKind.Ward, fields: ["ward_no", "ward_name"], survey: new DateOnly(2022, 2, 1));
        var slums = Layer(3, "slums", LayerKind.Slum, fields: ["slum_id", "status"], sensitive: true, survey: new DateOnly(2025, 6, 1), source: "SRA");
        var assets = Layer(4, "hospitals", LayerKind.Asset, fields: ["asset_type"]);
        var layers = new[] { boundary, wards, slums, assets };
        var qualities = new[]
        {
            Quality(boundary, 100), Quality(wards, 80), Quality(slums, 60), Quality(assets, 50),
        };
        var data = new CityCheckData(Guid.NewGuid(), new CityInfo("pune", "Pune", null, true, 4, null, AsOf), layers.Select(l => l.Info).ToList(),
            [new PlanningUse(1, "pune", "DP 2037", "https://pmc.gov.in/dp.pdf", ["wards"], "cdo", AsOf)], AsOf);
        var city = new CityReference(CityReference.Official, boundary, wards, 331e6, 32643);

        var score = CityScorer.Score(data, city, layers, qualities, ["health", "school", "toilet"], (2, 12e6, 1, 3e6), "test");

        // A: boundary 1 + wards 1 + slums with status 1 + 3 themes x 0.5 = 4.5
        Assert.Equal(4.5, Part(score, "A").Marks, 9);
        // B1: 2 of 3 core layers public (slums sensitive) = 0.6667. B2: metadata shares boundary 5/5, wards 3/5
        // (CRS, licence, survey date), slums 4/5 (no custodian), assets 2/5: mean 0.70. B3: boundary 2025 and slums 2025 within
        // 24 months of 2026-11-23, wards 2022 not: 2/3. B4: declared 1.
        Assert.Equal(2.0 / 3 + 0.70 + 2.0 / 3 + 1, Part(score, "B").Marks, 3);
        // C: 10 x (0.1 x 100 + 0.3 x 80 + 0.3 x 60 + 0.3 x 50) / 100 = 6.7
        Assert.Equal(6.7, Part(score, "C").Marks, 9);
        Assert.Equal(4.5 + 3.03333 + 6.7, score.Srs20, 3);
        Assert.Equal(5 * score.Srs20, score.Srs100, 9);
        Assert.Equal(2, score.Boundary.ExclusionZones);
        Assert.Equal(12, score.Boundary.ExclusionZonesKm2);
        Assert.Equal(1, score.Boundary.ExclusionCandidates);
        Assert.Equal(3, score.Boundary.ExclusionCandidatesKm2);
        Assert.Equal(331, score.Boundary.AreaKm2);
    }

    [Fact]
    public void A_city_without_layers_scores_zero_and_the_input_hash_follows_the_layers()
    {
        var data = new CityCheckData(Guid.NewGuid(), new CityInfo("x", "X", null, false, 0, null, AsOf), [], [], AsOf);
        var score = CityScorer.Score(data, new CityReference(CityReference.NoBoundary, null, null, 0, 32643), [], [], [], (0, 0, 0, 0), "test");
        Assert.Equal(0, score.Srs20);
        var wards = Layer(2, "wards", LayerKind.Ward);
        Assert.Equal(CityScorer.InputHash([wards.Info]), CityScorer.InputHash([wards.Info]));
        Assert.NotEqual(CityScorer.InputHash([wards.Info]), CityScorer.InputHash([wards.Info with { Version = 2 }]));
        Assert.NotEqual(CityScorer.InputHash([wards.Info]), CityScorer.InputHash([wards.Info with { FieldMap = new Dictionary<string, string> { ["ward_no"] = "x" } }]));
    }

    [Theory]
    [InlineData("GeoJSON", "EPSG:4326 (assumed)", 1.0)]
    [InlineData("GeoJSONSeq", "EPSG:4326 (assumed)", 1.0)]
    [InlineData("CSV", "EPSG:4326 (assumed)", 0.8)]
    [InlineData("Shapefile", "EPSG:4326 (assumed)", 0.8)]
    [InlineData("Shapefile", "EPSG:32643", 1.0)]
    public void RFC_7946_GeoJSON_does_not_lack_a_CRS_in_B2(string format, string crsReceived, double share)
    {
        var layer = Layer(2, "wards", LayerKind.Ward, source: "PMC", custodian: "PMC", survey: new DateOnly(2026, 1, 1));
        layer = CheckedLayer.From(layer.Info with { Format = format, CrsReceived = crsReceived });
        var data = new CityCheckData(Guid.NewGuid(), new CityInfo("pune", "Pune", null, false, 1, null, AsOf), [layer.Info], [], AsOf);
        var score = CityScorer.Score(data, new CityReference(CityReference.UnionOfWards, null, layer, 1e6, 32643), [layer],
            [Quality(layer, 100)], [], (0, 0, 0, 0), "test");
        Assert.Equal(share, Part(score, "B").Items.Single(i => i.Code == "B2").Marks, 9);
    }

    private static ScorePart Part(ReadinessScore score, string code) => score.Parts.Single(p => p.Code == code);

    private static LayerQuality Quality(CheckedLayer layer, double quality) =>
        new(layer.Id, layer.Name, layer.Kind.ToName(), layer.Title, 1, 10, null, quality, [], [], "");

    private static CheckedLayer Layer(long id, string name, LayerKind kind, string[]? fields = null, bool sensitive = false,
        DateOnly? survey = null, string? source = null, string? custodian = null)
    {
        var provenance = new LayerProvenance(1, name + ".geojson", new string('a', 64), 1, "GeoJSON", "EPSG:4326", 10, "CC BY 4.0", "test", null, AsOf);
        var info = new LayerInfo(id, "pune", name, kind.ToName(), name, null, "CC BY 4.0", source, custodian, survey, sensitive, 1, "GeoJSON",
            "EPSG:4326", 10, 0, 0, fields ?? [], new Dictionary<string, string>(), [], null, provenance, AsOf, AsOf.AddYears(-3));
        return CheckedLayer.From(info);
    }
}
