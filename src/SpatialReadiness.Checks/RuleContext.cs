using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.Checks;

/// <summary>What a rule runs against: the run's database, the layer under check and the city's reference geometry.</summary>
public sealed class RuleContext(ICheckDatabase database, CheckedLayer layer, CityReference city)
{
    public ICheckDatabase Database { get; } = database;

    public CheckedLayer Layer { get; } = layer;

    public CityReference City { get; } = city;

    /// <summary>Parameters every rule query may use (@layer, @run, @utm, @id_field) plus the rule's own.</summary>
    public Dictionary<string, object?> Parameters(params (string Name, object? Value)[] extra)
    {
        var parameters = new Dictionary<string, object?>
        {
            ["layer"] = Layer.Id,
            ["run"] = Database.RunId,
            ["utm"] = City.UtmSrid,
            ["id_field"] = Layer.IdField,
        };
        foreach (var (name, value) in extra) parameters[name] = value;
        return parameters;
    }

    public Task<FindingCounts> StoreAsync(Rule rule, string findingsSql, Dictionary<string, object?> parameters, CancellationToken cancellationToken) =>
        Database.StoreFindingsAsync(rule.Code, rule.Severity, Layer.Id, Layer.IdField, rule.Basis(Layer), findingsSql, parameters, cancellationToken);

    /// <summary>Findings under another code than a rule's own; <paramref name="basis"/> as Rule.Basis (null: every field).</summary>
    public Task<FindingCounts> StoreAsync(string code, Severity severity, string findingsSql, Dictionary<string, object?> parameters, CancellationToken cancellationToken,
        FindingBasis? basis = null) =>
        Database.StoreFindingsAsync(code, severity, Layer.Id, Layer.IdField, basis ?? FindingBasis.AllFields, findingsSql, parameters, cancellationToken);
}
