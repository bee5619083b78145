using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks.Rules;

/// <summary>
/// DUPLICATE: a feature that repeats an earlier one — exactly the same geometry and the same key attributes (the
/// schema's key fields, e.g. a slum's name and status; all attributes when the layer has none of them). Such
/// records are counted twice in every total. The first of each group is kept as the original; each repeat is an
/// error. Same geometry with different attributes is not a duplicate (two records may share a place). In a proposal's
/// check the stored features come first (the proposal repeats what is there, not the other way round), then the
/// proposed ones in the order of their changes.
/// </summary>
public sealed class Duplicate : Rule
{
    public override string Code => "DUPLICATE";
    public override string Title => "Duplicate features";
    public override double Weight => 5;
    public override double Tolerance => 0.02;

    public override bool AppliesTo(LayerKind kind) => true;

    // Whether two features are duplicates compares their key attributes (all of them when the kind has no keys).
    public override FindingBasis Basis(CheckedLayer layer) => KeyFields(layer) is { Count: > 0 } keys ? new(keys) : FindingBasis.AllFields;

    // Keys are the attributes minus every non-key field, so the comparison stays one hashable jsonb value.
    private static readonly string Findings = $"""
        WITH k AS (
            SELECT f.id, f.geom, ST_AsEWKB(f.geom) AS shape, f.attributes - @non_key::text[] AS keys
            FROM features f WHERE f.layer_id = @layer AND f.geom IS NOT NULL
        ),
        groups AS (
            SELECT shape, keys, coalesce(min(id) FILTER (WHERE id > 0), max(id)) AS original, count(*) AS copies
            FROM k GROUP BY shape, keys HAVING count(*) > 1
        )
        SELECT k.id AS feature_id, g.original AS related_feature_id,
               'repeats ' || {Sql.FeatureName("g.original")} || ': same geometry and same ' || @what || ' (' || g.copies || ' copies)' AS detail,
               ST_Centroid(k.geom) AS location, NULL::double precision AS measure
        FROM k JOIN groups g ON g.shape = k.shape AND g.keys = k.keys
        WHERE k.id <> g.original
        """;

    private static List<string> KeyFields(CheckedLayer layer) =>
        layer.Schema?.Fields.Where(f => f.Key).Select(f => layer.Mapping.Source(f.Name)).OfType<string>().Distinct().ToList() ?? [];

    public override async Task<RuleResult> RunAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var layer = context.Layer;
        var keys = KeyFields(layer);
        var nonKey = keys.Count == 0 ? [] : layer.Fields.Except(keys).ToArray();
        var what = keys.Count == 0 ? "attributes" : string.Join(", ", keys);
        var counts = await context.StoreAsync(this, Findings, context.Parameters(("non_key", nonKey), ("what", what)), cancellationToken);
        return RuleResult.ByFeatures(counts, layer.FeatureCount);
    }
}
