using SpatialReadiness.Checks.Schemas;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks.Warnings;

/// <summary>
/// ATTR_COORDINATES (warning): a feature whose attributes also state a position — latitude/longitude fields beside
/// the geometry, or "Latitude: 23.02 Longitude: 72.57" written in a description — more than 50 m from where its
/// geometry puts it. One of the two is wrong, and the check cannot tell which.
/// </summary>
public sealed class AttributeCoordinates : Rule
{
    private static readonly string[] LatitudeNames = ["lat", "latitude", "ycoord", "y"];
    private static readonly string[] LongitudeNames = ["lon", "long", "lng", "longitude", "xcoord", "x"];
    private static readonly string[] TextNames = ["description", "desc", "remarks", "address", "location"];

    public override string Code => "ATTR_COORDINATES";
    public override string Title => "Attribute coordinates disagree with the geometry";
    public override Severity Severity => Severity.Warning;

    public override bool AppliesTo(LayerKind kind) => kind is LayerKind.Asset or LayerKind.Other;

    // The detail and the location are the position the attributes state.
    public override FindingBasis Basis(CheckedLayer layer) => new(PositionFields(layer), Location: true);

    private const string Findings = """
        WITH stated AS (
            SELECT f.id, f.geom,
                   coalesce(nullif(f.attributes ->> @lat_field, ''), m[1]) AS lat_text,
                   coalesce(nullif(f.attributes ->> @lon_field, ''), m[2]) AS lon_text
            FROM features f
            LEFT JOIN LATERAL regexp_match(f.attributes ->> @text_field,
                'lat[a-z]*[^0-9-]{0,5}(-?[0-9]{1,2}\.[0-9]+).{0,40}?lon[a-z]*[^0-9-]{0,5}(-?[0-9]{2,3}\.[0-9]+)', 'i') m ON true
            WHERE f.layer_id = @layer AND ST_Dimension(f.geom) = 0
        ),
        parsed AS (
            SELECT id, geom, ST_SetSRID(ST_MakePoint(lon_text::double precision, lat_text::double precision), 4326) AS said
            FROM stated
            WHERE lat_text ~ '^\s*-?[0-9]+(\.[0-9]+)?\s*$' AND lon_text ~ '^\s*-?[0-9]+(\.[0-9]+)?\s*$'
        )
        SELECT id AS feature_id, NULL::bigint AS related_feature_id,
               'its attributes put it at ' || to_char(ST_Y(said), 'FM990.00000') || ' N ' || to_char(ST_X(said), 'FM990.00000')
               || ' E, ' || to_char(ST_Distance(geom::geography, said::geography), 'FM999999990') || ' m from its geometry' AS detail,
               said AS location, ST_Distance(geom::geography, said::geography) AS measure
        FROM parsed
        WHERE abs(ST_Y(said)) <= 90 AND abs(ST_X(said)) <= 180 AND ST_Distance(geom::geography, said::geography) > 50
        """;

    private static (string? Lat, string? Lon, string? Text) Find(CheckedLayer layer)
    {
        string? Find(string[] names) => layer.Fields.FirstOrDefault(f => names.Contains(FieldMapping.Normalise(f)));
        return (Find(LatitudeNames), Find(LongitudeNames), Find(TextNames));
    }

    private static List<string> PositionFields(CheckedLayer layer)
    {
        var (lat, lon, text) = Find(layer);
        return new[] { lat, lon, text }.OfType<string>().ToList();
    }

    public override async Task<RuleResult> RunAsync(RuleContext context, CancellationToken cancellationToken)
    {
        var (lat, lon, text) = Find(context.Layer);
        if ((lat is null || lon is null) && text is null)
            return RuleResult.NotApplicable("no attribute states a position");
        var counts = await context.StoreAsync(this, Findings, context.Parameters(
            ("lat_field", lat is null || lon is null ? null : lat), ("lon_field", lat is null || lon is null ? null : lon), ("text_field", text)), cancellationToken);
        return RuleResult.ByFeatures(counts, context.Layer.FeatureCount);
    }
}
