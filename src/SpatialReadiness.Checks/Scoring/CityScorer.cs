using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Publishing;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks.Scoring;

/// <summary>
/// SRS-20 = A (6: layers exist and pass the gates) + B (4: shared and used) + C (10: quality); SRS-100 = 5 x SRS-20.
/// The items and their measures are in docs/api/readiness.md; each item states its basis in words.
/// </summary>
public static class CityScorer
{
    private static readonly LayerKind[] CoreKinds = [LayerKind.Boundary, LayerKind.Ward, LayerKind.Slum];
    private static readonly (LayerKind Kind, double Weight)[] QualityWeights =
        [(LayerKind.Boundary, 0.1), (LayerKind.Ward, 0.3), (LayerKind.Slum, 0.3), (LayerKind.Asset, 0.3)];

    public static ReadinessScore Score(CityCheckData data, CityReference city, IReadOnlyList<CheckedLayer> layers,
        IReadOnlyList<LayerQuality> qualities, IReadOnlyCollection<string> themes,
        (int Declared, double DeclaredM2, int Candidates, double CandidatesM2) exclusionZones, string engineVersions)
    {
        var passing = layers.Where(l => qualities.Single(q => q.LayerId == l.Id).Gate is null).ToList();
        ScorePart[] parts = [PartA(passing, city, themes), PartB(data, layers), PartC(qualities)];
        var srs20 = Math.Round(parts.Sum(p => p.Marks), 4);
        return new ReadinessScore(data.City.Id, data.RunId, RuleSet.Version, InputHash(data.Layers), engineVersions, data.AsOf,
            srs20, Math.Round(5 * srs20, 4),
            new ReferenceBoundary(city.Source, (city.BoundaryLayer ?? city.Wards)?.Id, (city.BoundaryLayer ?? city.Wards)?.Name,
                city.Exists ? Math.Round(city.AreaM2 / 1e6, 4) : null, exclusionZones.Declared, Math.Round(exclusionZones.DeclaredM2 / 1e6, 4))
            {
                ExclusionCandidates = exclusionZones.Candidates,
                ExclusionCandidatesKm2 = Math.Round(exclusionZones.CandidatesM2 / 1e6, 4),
            },
            parts, qualities, $"/api/cities/{data.City.Id}/findings", $"/api/cities/{data.City.Id}/readiness/report");
    }

    private static ScorePart PartA(List<CheckedLayer> passing, CityReference city, IReadOnlyCollection<string> themes)
    {
        var boundary = passing.FirstOrDefault(l => l.Kind == LayerKind.Boundary);
        var wards = passing.Where(l => l.Kind == LayerKind.Ward).ToList();
        var slums = passing.Where(l => l.Kind == LayerKind.Slum).ToList();
        var slumWithStatus = slums.FirstOrDefault(l => l.Mapping.Source("status") is not null);
        var themeMarks = Math.Min(3, 0.5 * themes.Count);
        ScoreItem[] items =
        [
            new("A1", "City boundary layer", boundary is null ? 0 : 1, 1, boundary is not null
                ? $"boundary layer '{boundary.Name}' passes the gates"
                : $"no boundary layer passes the gates; the check used: {city.Source}"),
            new("A2", "Ward layer", wards.Count > 0 ? 1 : 0, 1, wards.Count > 0
                ? $"ward layer(s) passing the gates: {string.Join(", ", wards.Select(l => l.Name))}"
                : "no ward layer passes the gates"),
            new("A3", "Slum layer with a status field", slumWithStatus is null ? 0 : 1, 1, slumWithStatus is not null
                ? $"slum layer '{slumWithStatus.Name}' has a status field ('{slumWithStatus.Mapping.Source("status")}')"
                : slums.Count > 0 ? $"slum layer(s) {string.Join(", ", slums.Select(l => l.Name))} have no status field (notified, recognised, identified)"
                : "no slum layer passes the gates"),
            new("A4", "Asset themes (0.5 each, up to 3)", themeMarks, 3, themes.Count > 0
                ? $"{themes.Count} of {AssetThemes.All.Count} themes: {string.Join(", ", themes)}"
                : $"no asset layer covers a theme ({string.Join(", ", AssetThemes.All.Keys)})"),
        ];
        return new ScorePart("A", "Datasets translated into GIS layers", items.Sum(i => i.Marks), 6, items);
    }

    private static ScorePart PartB(CityCheckData data, IReadOnlyList<CheckedLayer> layers)
    {
        var core = layers.Where(l => CoreKinds.Contains(l.Kind)).ToList();
        var shared = core.Where(l => !l.Info.Sensitive).ToList();
        var b1 = core.Count == 0 ? 0 : (double)shared.Count / core.Count;

        var metadata = layers.Select(l => MetadataShare(l.Info)).ToList();
        var b2 = metadata.Count == 0 ? 0 : metadata.Average();

        var current = core.Where(l => IsCurrent(l.Info, data.AsOf)).ToList();
        var b3 = core.Count == 0 ? 0 : (double)current.Count / core.Count;

        var layerNames = layers.Select(l => l.Name).ToHashSet();
        var uses = data.PlanningUses.Where(u => u.Layers.Any(layerNames.Contains)).ToList();
        ScoreItem[] items =
        [
            new("B1", "Core layers shared", Round(b1), 1, core.Count == 0 ? "no boundary, ward or slum layer"
                : $"{shared.Count} of {core.Count} core layers are public, served by this server as vector tiles and TileJSON to anyone"
                  + (shared.Count < core.Count ? $"; not public (sensitive): {string.Join(", ", core.Except(shared).Select(l => l.Name))}" : "")),
            new("B2", "Metadata complete (CRS, source, survey date, licence, custodian)", Round(b2), 1, layers.Count == 0 ? "no layers"
                : $"mean share of the 5 metadata items over {layers.Count} layers: {100 * b2:0.#} %" + MissingMetadata(layers)),
            new("B3", "Core layers current (on their update schedule, else surveyed or updated within 24 months)", Round(b3), 1, core.Count == 0 ? "no core layers"
                : $"{current.Count} of {core.Count} core layers current as of {data.AsOf:yyyy-MM-dd}: " + CurrencyBasis(core.Select(l => l.Info), data.AsOf)),
            new("B4", "Declared planning use", uses.Count > 0 ? 1 : 0, 1, uses.Count > 0
                ? $"declared: {string.Join("; ", uses.Select(u => $"'{u.Title}' ({u.DocumentUrl}) citing {string.Join(", ", u.Layers)}"))}"
                : "no plan, DPR or dashboard declared citing the city's layers (POST /api/cities/{city}/planning-uses)", Declared: true),
        ];
        return new ScorePart("B", "Layers shared and used", items.Sum(i => i.Marks), 4, items);
    }

    private static ScorePart PartC(IReadOnlyList<LayerQuality> qualities)
    {
        var items = QualityWeights.Select(w =>
        {
            var ofKind = qualities.Where(q => q.Kind == w.Kind.ToName()).ToList();
            var mean = ofKind.Count == 0 ? 0 : ofKind.Average(q => q.Quality);
            var basis = ofKind.Count == 0 ? $"no {w.Kind.ToName()} layer: quality 0"
                : $"mean quality {mean:0.##} of {string.Join(", ", ofKind.Select(q => $"{q.Layer} {q.Quality:0.##}"))}";
            return new ScoreItem($"C-{w.Kind.ToName()}", $"{w.Kind} layer quality (weight {w.Weight})", Round(10 * w.Weight * mean / 100), 10 * w.Weight, basis);
        }).ToList();
        return new ScorePart("C", "Quality maintained; nothing outside the boundaries", Round(items.Sum(i => i.Marks)), 10, items);
    }

    private static double MetadataShare(LayerInfo layer) =>
        MetadataItems(layer).Count(i => i.Present) / 5.0;

    private static IEnumerable<(string Name, bool Present)> MetadataItems(LayerInfo layer) =>
    [
        ("CRS", !layer.CrsReceived.Contains("(assumed)", StringComparison.Ordinal) || DeclaresWgs84ByDefinition(layer.Format)),
        ("source", !string.IsNullOrWhiteSpace(layer.Source)),
        ("survey date", layer.SurveyDate is not null),
        ("licence", !string.IsNullOrWhiteSpace(layer.Licence)),
        ("custodian", !string.IsNullOrWhiteSpace(layer.Custodian)),
    ];

    /// <summary>RFC 7946 GeoJSON (and GeoJSON text sequences) are WGS 84 lon/lat by definition: they do not lack a CRS.</summary>
    private static bool DeclaresWgs84ByDefinition(string format) => format is "GeoJSON" or "GeoJSONSeq";

    private static string MissingMetadata(IReadOnlyList<CheckedLayer> layers)
    {
        var missing = layers.Select(l => (l.Name, Missing: MetadataItems(l.Info).Where(i => !i.Present).Select(i => i.Name).ToList()))
            .Where(l => l.Missing.Count > 0).Select(l => $"{l.Name} lacks {string.Join(", ", l.Missing)}").ToList();
        return missing.Count == 0 ? "" : "; " + string.Join("; ", missing);
    }

    /// <summary>A layer with a due date is current while it is not overdue; one without, when dated within 24 months.</summary>
    private static bool IsCurrent(LayerInfo layer, DateTimeOffset asOf)
    {
        if (LayerSchedule.Of(layer, asOf) is { NextDue: not null } schedule) return !schedule.Overdue;
        var dated = layer.SurveyDate?.ToDateTime(TimeOnly.MinValue) ?? layer.UpdatedAt.UtcDateTime;
        return dated >= asOf.UtcDateTime.AddMonths(-24);
    }

    private static string CurrencyBasis(IEnumerable<LayerInfo> core, DateTimeOffset asOf) => string.Join("; ", core.Select(l =>
        LayerSchedule.Of(l, asOf) is { NextDue: not null } s ? $"{l.Name} {s.Basis}"
        : $"{l.Name} has no due date, so within 24 months (survey date, else import date): {(IsCurrent(l, asOf) ? "yes" : "no")}"));

    private static double Round(double value) => Math.Round(value, 4);

    /// <summary>
    /// A hash of what the run read: each layer's id, kind, version, sensitivity and field map. A layer's (id, version)
    /// names its content already; its source digest is left out because this hash is public and the digest of a layer
    /// with sensitive fields is not (LayerInfo.DigestsWithheld): it would answer a guess at the hidden values.
    /// </summary>
    public static string InputHash(IEnumerable<LayerInfo> layers)
    {
        var text = new StringBuilder(RuleSet.Version).Append('\n');
        foreach (var l in layers.OrderBy(l => l.Id))
            text.Append(CultureInfo.InvariantCulture, $"{l.Id} {l.Kind} {l.Version} {l.Sensitive} ")
                .AppendJoin(',', l.FieldMap.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
