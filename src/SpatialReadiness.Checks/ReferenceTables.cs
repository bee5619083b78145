using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks;

/// <summary>
/// Builds the run's scratch tables: check_boundary (the city: the official boundary layer, or else the union of
/// the reference ward layer with holes filled) and check_wards (the reference wards with their number, repaired
/// where invalid, indexed) and check_exclusions (the exclusion zones the city declared, with their reasons). Every rule
/// reads these instead of recomputing them.
/// </summary>
internal static class ReferenceTables
{
    private static readonly string OfficialBoundary = $"""
        DROP TABLE IF EXISTS check_boundary;
        CREATE TEMP TABLE check_boundary AS
        SELECT ST_Multi(ST_CollectionExtract(ST_Union({Sql.Valid("f.geom")}), 3))::geometry(MultiPolygon, 4326) AS geom
        FROM features f WHERE f.layer_id = @source AND ST_Dimension(f.geom) = 2
        """;

    private static readonly string UnionOfWards = $"""
        DROP TABLE IF EXISTS check_boundary;
        CREATE TEMP TABLE check_boundary AS
        WITH parts AS (
            SELECT (ST_Dump(ST_CollectionExtract(ST_Union({Sql.Valid("f.geom")}), 3))).geom AS g
            FROM features f WHERE f.layer_id = @source AND ST_Dimension(f.geom) = 2
        )
        SELECT ST_Multi(ST_Union(ST_MakePolygon(ST_ExteriorRing(g))))::geometry(MultiPolygon, 4326) AS geom FROM parts
        """;

    private const string NoBoundary = """
        DROP TABLE IF EXISTS check_boundary;
        CREATE TEMP TABLE check_boundary (geom geometry(MultiPolygon, 4326))
        """;

    private const string Measure = """
        SELECT coalesce(ST_Area(geom::geography), 0), ST_X(ST_Centroid(geom)) FROM check_boundary WHERE geom IS NOT NULL
        """;

    private static readonly string Wards = $"""
        DROP TABLE IF EXISTS check_wards;
        CREATE TEMP TABLE check_wards AS
        SELECT f.id, nullif(btrim(f.attributes ->> @ward_field), '') AS ward_no, {Sql.WardKey("f.attributes ->> @ward_field")} AS ward_key,
               coalesce(nullif(btrim(f.attributes ->> @ward_field), ''), nullif(btrim(f.attributes ->> @name_field), ''), '#' || f.id) AS label,
               {Sql.Valid("f.geom")} AS geom
        FROM features f WHERE f.layer_id = @wards AND ST_Dimension(f.geom) = 2;
        CREATE INDEX ON check_wards USING gist (geom);
        CREATE INDEX ON check_wards (ward_key);
        ANALYZE check_wards
        """;

    // The reason is what the city wrote for the zone: a "reason" field, else its type, name or description.
    private static readonly string Exclusions = $"""
        DROP TABLE IF EXISTS check_exclusions;
        CREATE TEMP TABLE check_exclusions AS
        SELECT f.id, f.layer_id,
               coalesce(nullif(btrim(f.attributes ->> 'reason'), ''), nullif(btrim(f.attributes ->> 'Reason'), ''),
                        nullif(btrim(f.attributes ->> 'type'), ''), nullif(btrim(f.attributes ->> 'name'), ''),
                        nullif(btrim(f.attributes ->> 'Name'), ''), nullif(btrim(f.attributes ->> 'description'), ''),
                        'declared without a reason') AS reason,
               {Sql.Valid("f.geom")} AS geom
        FROM features f WHERE f.layer_id = ANY (@exclusions) AND ST_Dimension(f.geom) = 2;
        CREATE INDEX ON check_exclusions USING gist (geom)
        """;

    public static async Task<CityReference> BuildAsync(ICheckDatabase database, CheckedLayer? boundary, CheckedLayer? wards,
        IReadOnlyList<CheckedLayer> exclusions, CancellationToken cancellationToken)
    {
        await database.ExecuteAsync(Exclusions, new Dictionary<string, object?> { ["exclusions"] = exclusions.Select(l => l.Id).ToArray() }, cancellationToken);
        var (sql, source) = boundary is not null ? (OfficialBoundary, CityReference.Official)
            : wards is not null ? (UnionOfWards, CityReference.UnionOfWards)
            : (NoBoundary, CityReference.NoBoundary);
        await database.ExecuteAsync(sql, new Dictionary<string, object?> { ["source"] = (boundary ?? wards)?.Id }, cancellationToken);
        await database.ExecuteAsync(Wards, new Dictionary<string, object?>
        {
            ["wards"] = wards?.Id ?? -1L,
            ["ward_field"] = wards?.Mapping.Source("ward_no"),
            ["name_field"] = wards?.Mapping.Source("ward_name"),
        }, cancellationToken);

        var rows = await database.QueryAsync(Measure, new Dictionary<string, object?>(), cancellationToken);
        if (rows.Count == 0 || rows[0][1] is not double lon) return new CityReference(CityReference.NoBoundary, null, wards, 0, 32643);
        var utmZone = (int)Math.Floor((lon + 180) / 6) + 1;
        return new CityReference(source, boundary, wards, (double)rows[0][0]!, 32600 + utmZone);
    }
}
