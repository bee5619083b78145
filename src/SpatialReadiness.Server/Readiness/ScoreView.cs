using System.Text.RegularExpressions;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Server.Readiness;

/// <summary>
/// A check's score and progress as one reader may see them. The score is computed once, for everyone, over every layer
/// of the city (so restricted layers count); for a reader from whom some layers are withheld, their quality entries go,
/// the reference boundary no longer names them, every text that names them (item bases, the current step, an error)
/// says "a restricted layer" instead, and <see cref="ReadinessScore.RestrictedLayers"/> says how many were counted.
/// </summary>
public static class ScoreView
{
    public const string RestrictedLayer = "a restricted layer";

    public static ReadinessScore For(ReadinessScore score, IReadOnlyList<LayerInfo> withheld)
    {
        if (withheld.Count == 0) return score;
        var ids = withheld.Select(l => l.Id).ToHashSet();
        var redact = Redactor(withheld);
        var boundary = score.Boundary.LayerId is { } b && ids.Contains(b) ? score.Boundary with { LayerId = null, Layer = null } : score.Boundary;
        return score with
        {
            Boundary = boundary,
            Parts = score.Parts.Select(p => p with { Items = p.Items.Select(i => i with { Basis = redact(i.Basis) }).ToList() }).ToList(),
            Layers = score.Layers.Where(l => !ids.Contains(l.LayerId)).ToList(),
            RestrictedLayers = score.Layers.Count(l => ids.Contains(l.LayerId)),
        };
    }

    public static CheckRun For(CheckRun run, IReadOnlyList<LayerInfo> withheld)
    {
        if (withheld.Count == 0) return run;
        var redact = Redactor(withheld);
        return run with { CurrentStep = run.CurrentStep is { } step ? redact(step) : null, Error = run.Error is { } error ? redact(error) : null };
    }

    public static PlanningUse For(PlanningUse use, IReadOnlyList<LayerInfo> withheld) =>
        withheld.Count == 0 ? use : use with { Layers = use.Layers.Where(l => withheld.All(w => w.Name != l)).ToList() };

    /// <summary>Replaces each withheld layer's name and title, as whole words, with "a restricted layer" (longest first).</summary>
    public static Func<string, string> Redactor(IReadOnlyList<LayerInfo> withheld)
    {
        var names = withheld.SelectMany(l => new[] { l.Name, l.Title }).Where(n => n.Length > 0).Distinct().OrderByDescending(n => n.Length).ToList();
        if (names.Count == 0) return text => text;
        var pattern = new Regex(@"(?<![\p{L}\p{N}_-])(?:" + string.Join('|', names.Select(Regex.Escape)) + @")(?![\p{L}\p{N}_-])",
            RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        return text => pattern.Replace(text, RestrictedLayer);
    }
}
