using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks.Rules;

/// <summary>
/// ID_NOT_UNIQUE: the layer's id field (ward_no, slum_id, asset_id) holds the same value for more than one feature,
/// so a join, a report or a correction by id hits the wrong record. Values compare trimmed and without case. Every
/// feature sharing an id is in error (which one is right needs a person). Blank ids are ATTR_MISSING's business; a
/// layer without an id field cannot be judged and the rule does not apply (ATTR_MISSING already charges for it).
/// </summary>
public sealed class IdNotUnique : Rule
{
    public override string Code => "ID_NOT_UNIQUE";
    public override string Title => "Id not unique";
    public override double Weight => 5;
    public override double Tolerance => 0.02;

    public override bool AppliesTo(LayerKind kind) => kind is LayerKind.Ward or LayerKind.Slum or LayerKind.Building or LayerKind.Asset;

    // The detail quotes the id value; whether there is a finding at all compares ids.
    public override FindingBasis Basis(CheckedLayer layer) => FindingBasis.Of(layer.IdField);

    private const string Findings = """
        WITH k AS (
            SELECT f.id, f.geom, btrim(f.attributes ->> @id_field) AS shown, lower(btrim(f.attributes ->> @id_field)) AS value
            FROM features f WHERE f.layer_id = @layer AND nullif(btrim(f.attributes ->> @id_field), '') IS NOT NULL
        ),
        repeated AS (
            SELECT value, min(id) AS first, count(*) AS uses FROM k GROUP BY value HAVING count(*) > 1
        )
        SELECT k.id AS feature_id, CASE WHEN k.id = r.first THEN NULL ELSE r.first END AS related_feature_id,
               @id_field || ' "' || k.shown || '" is shared by ' || r.uses || ' features' AS detail,
               ST_Centroid(k.geom) AS location, NULL::double precision AS measure
        FROM k JOIN repeated r ON r.value = k.value
        """;

    public override async Task<RuleResult> RunAsync(RuleContext context, CancellationToken cancellationToken)
    {
        if (context.Layer.IdField is null)
            return RuleResult.NotApplicable($"the layer has no {context.Layer.Schema!.IdField} field (ATTR_MISSING counts it)");
        var counts = await context.StoreAsync(this, Findings, context.Parameters(), cancellationToken);
        return RuleResult.ByFeatures(counts, context.Layer.FeatureCount);
    }
}
