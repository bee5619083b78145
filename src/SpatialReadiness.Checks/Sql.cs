namespace SpatialReadiness.Checks;

/// <summary>SQL fragments the rules share, so each reads the same way.</summary>
internal static class Sql
{
    /// <summary>A geometry GEOS can compute with: itself when valid, else repaired with the structure method.</summary>
    public static string Valid(string column) =>
        $"(CASE WHEN ST_IsValid({column}) THEN {column} ELSE ST_MakeValid({column}, 'method=structure') END)";

    /// <summary>How a feature is named in a detail: its id attribute when the layer has one, else #feature-id (<see cref="Change"/> for a proposed one).</summary>
    public static string Label(string alias) =>
        $"coalesce(nullif(btrim({alias}.attributes ->> @id_field), ''), CASE WHEN {alias}.id < 0 THEN {Change($"{alias}.id")} ELSE '#' || {alias}.id END)";

    /// <summary>
    /// How a detail names another feature by id: "feature 263", or, for a feature a contribution proposes (staged under
    /// the id minus its change's ordinal: PostGis.Contributions.ProposalChecks), "proposed change 2". A staged id means
    /// nothing to a reader; the change's ordinal is how the contribution numbers its changes.
    /// </summary>
    public static string FeatureName(string id) => $"(CASE WHEN {id} < 0 THEN {Change(id)} ELSE 'feature ' || {id} END)";

    private static string Change(string id) => $"'proposed change ' || -({id})";

    /// <summary>"2.3 km" or "140 m".</summary>
    public static string Distance(string metres) =>
        $"(CASE WHEN {metres} < 1000 THEN round({metres})::text || ' m' ELSE to_char({metres} / 1000, 'FM999999990.0') || ' km' END)";

    /// <summary>"4,560 m²" or "1.25 km²".</summary>
    public static string Area(string squareMetres) =>
        $"(CASE WHEN {squareMetres} < 1000000 THEN to_char({squareMetres}, 'FM999,999,990') || ' m²' ELSE to_char({squareMetres} / 1e6, 'FM999,990.00') || ' km²' END)";

    /// <summary>"73.85512 E 18.52031 N" of a point.</summary>
    public static string Position(string point) =>
        $"(to_char(ST_X({point}), 'FM990.00000') || ' E ' || to_char(ST_Y({point}), 'FM990.00000') || ' N')";

    /// <summary>
    /// Ward keys compared as people write them ("Ward No. 81" = "081" = "८१"; "F/N" = "F-North"): the database function
    /// sr_ward_key (migration 0010b), the one normaliser every ward comparison uses.
    /// </summary>
    public static string WardKey(string text) => $"sr_ward_key({text})";
}
