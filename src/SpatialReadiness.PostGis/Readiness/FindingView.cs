namespace SpatialReadiness.PostGis.Readiness;

/// <summary>
/// A stored finding (alias f, joined to its layer l) as one reader may see it, in SQL, so every interface that serves
/// findings (GeoJSON, the report, OData) renders them the same way. <c>revealed</c> is an SQL expression of type
/// bigint[]: the layers whose sensitive data the reader may see (Accounts.Caller.MayReadSensitive). Elsewhere:
/// findings of sensitive layers are absent; a finding built from a sensitive field (findings.fields, written from
/// Checks.Rule.Basis; NULL meaning every field) keeps its rule, feature and geometry-based location but loses its
/// detail, its measure and any location taken from the attributes; a label taken from a sensitive field becomes #id.
/// </summary>
internal static class FindingView
{
    public const string RestrictedDetail = "built from a restricted field: its detail is withheld";

    public static string Visible(string revealed) => $"(NOT l.sensitive OR f.layer_id = ANY({revealed}))";

    private static string Hidden(string revealed) => $"(NOT f.layer_id = ANY({revealed}) AND cardinality(l.sensitive_fields) > 0)";

    private static string Restricted(string revealed) => $"({Hidden(revealed)} AND (f.fields IS NULL OR f.fields && l.sensitive_fields))";

    public static string Detail(string revealed) => $"(CASE WHEN {Restricted(revealed)} THEN '{RestrictedDetail}' ELSE f.detail END)";

    public static string Measure(string revealed) => $"(CASE WHEN {Restricted(revealed)} THEN NULL ELSE f.measure END)";

    public static string Location(string revealed) => $"(CASE WHEN {Restricted(revealed)} AND f.location_from_fields THEN NULL ELSE f.location END)";

    public static string Label(string revealed) =>
        $"(CASE WHEN {Hidden(revealed)} AND (f.label_field IS NULL OR f.label_field = ANY(l.sensitive_fields)) THEN '#' || f.feature_id ELSE f.feature_label END)";

    /// <summary>For feeds that serve every reader alike (OData Findings): nothing revealed.</summary>
    public const string Nothing = "'{}'::bigint[]";
}
