using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks.Rules;

/// <summary>
/// ATTR_MISSING: a required field of the layer's kind (layers/schemas/{kind}.json) that a feature leaves blank, or
/// that the layer lacks altogether — then every feature counts, because no feature can be joined or reported by it.
/// Fields are found by the uploader's map or by alias ("Ward No", WARD_NO, wardnum, ...). A layer-level finding says
/// which names were looked for and how to map one.
/// </summary>
public sealed class AttributeMissing : Rule
{
    public override string Code => "ATTR_MISSING";
    public override string Title => "Required attribute missing";
    public override double Weight => 15;
    public override double Tolerance => 0.10;

    public override bool AppliesTo(LayerKind kind) => kind is LayerKind.Ward or LayerKind.Slum or LayerKind.Building or LayerKind.Asset;

    // Which required fields are blank: their blankness is a fact about their values.
    public override FindingBasis Basis(CheckedLayer layer) =>
        new(layer.Schema?.RequiredFields.Select(f => layer.Mapping.Source(f.Name)).OfType<string>().Distinct().ToList() ?? []);

    private const string BlankFields = """
        SELECT f.id AS feature_id, NULL::bigint AS related_feature_id,
               'has no value for ' || string_agg(c.canonical || CASE WHEN c.canonical = c.source THEN '' ELSE ' (field "' || c.source || '")' END, ', ' ORDER BY c.ordinal) AS detail,
               ST_Centroid(f.geom) AS location, NULL::double precision AS measure
        FROM features f CROSS JOIN LATERAL unnest(@canonical::text[], @source::text[]) WITH ORDINALITY AS c(canonical, source, ordinal)
        WHERE f.layer_id = @layer AND nullif(btrim(f.attributes ->> c.source), '') IS NULL
        GROUP BY f.id, f.geom
        """;

    private const string AbsentFields = """
        SELECT NULL::bigint AS feature_id, NULL::bigint AS related_feature_id, unnest(@details::text[]) AS detail,
               NULL::geometry AS location, NULL::double precision AS measure
        """;

    public override async Task<RuleResult> RunAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var layer = context.Layer;
        var required = layer.Schema!.RequiredFields.ToList();
        var present = required.Where(f => layer.Mapping.Source(f.Name) is not null).ToList();
        var absent = required.Except(present).ToList();

        var counts = present.Count == 0 ? FindingCounts.Zero : await context.StoreAsync(this, BlankFields, context.Parameters(
            ("canonical", present.Select(f => f.Name).ToArray()),
            ("source", present.Select(f => layer.Mapping.Source(f.Name)!).ToArray())), cancellationToken);
        if (absent.Count == 0) return RuleResult.ByFeatures(counts, layer.FeatureCount);

        var details = absent.Select(f =>
            $"the layer has no {f.Name} field (looked for {string.Join(", ", f.Aliases.Distinct().Take(8))}); every feature counts as missing it. " +
            $"If the layer has it under another name, re-import with the field map {f.Name}=YOUR_FIELD (srd import --map, HTTP map=).").ToArray();
        var layerLevel = await context.StoreAsync(this, AbsentFields, context.Parameters(("details", details)), cancellationToken);
        return new RuleResult(true, $"absent: {string.Join(", ", absent.Select(f => f.Name))}", layer.FeatureCount, layer.FeatureCount, counts.Rows + layerLevel.Rows);
    }
}
