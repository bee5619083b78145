using System.Text.RegularExpressions;
using SpatialReadiness.Core.Features;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.PostGis.Features;

namespace SpatialReadiness.Server.OData;

/// <summary>
/// Which layers an OData feature set reads and how it names their fields: Wards, Slums and Assets read every readable
/// layer of their kind under the canonical field names; Features reads every readable layer, each attribute under an
/// OData-safe form of its own name, and a layer's own set reads that layer under the same names. Sensitive layers and
/// fields are sources only for callers allowed their data (the reader's <see cref="ODataService"/>).
/// </summary>
internal static partial class FeatureSets
{
    public static List<FeatureSource> Sources(string set, ODataService service)
    {
        if (service.LayerSets.TryGetValue(set, out var own))
            return [new FeatureSource(own.Layer, own.Fields.ToDictionary(f => f.Name, f => f.Key, StringComparer.Ordinal), OpenAttributes: false)];
        var typed = ODataModel.TypedSets.FirstOrDefault(t => t.Set == set);
        var sources = new List<FeatureSource>();
        foreach (var layer in service.Layers)
        {
            if (typed.Set is null) sources.Add(new FeatureSource(layer, OpenFields(layer), OpenAttributes: false));
            else if (layer.Kind == typed.Kind.ToName()) sources.Add(new FeatureSource(layer, CanonicalFields(layer, typed.Kind), OpenAttributes: false));
        }
        return sources;
    }

    /// <summary>The typed fields of a set (null for Features, whose attributes are open properties).</summary>
    public static IReadOnlyList<TypedField>? TypedFields(string set, ODataService service) =>
        service.LayerSets.TryGetValue(set, out var own) ? own.Fields
        : ODataModel.TypedSets.FirstOrDefault(t => t.Set == set) is { Set: not null } typed ? ODataModel.CanonicalFields(typed.Kind)
        : null;

    /// <summary>Canonical field name to the layer's own public field that holds it.</summary>
    private static Dictionary<string, string> CanonicalFields(LayerInfo layer, LayerKind kind)
    {
        var mapping = FieldMapping.Resolve(LayerSchema.For(kind), layer.PublicFields, layer.FieldMap);
        return mapping.AsDictionary().Where(p => layer.PublicFields.Contains(p.Value)).ToDictionary(p => p.Key, p => p.Value);
    }

    /// <summary>
    /// Each public attribute under an OData identifier: "Ward No" becomes Ward_No, "2011_pop" _2011_pop; a name that
    /// clashes with a declared property (Id, City, ...) or an earlier one gets "_1", "_2" ... appended.
    /// </summary>
    public static Dictionary<string, string> OpenFields(LayerInfo layer)
    {
        var declared = ODataModel.FeatureColumns.Select(c => c.Name).Concat(ODataModel.GeometryColumns.Select(c => c.Name))
            .Append("Kind").Append(ODataModel.LocationProperty).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in layer.PublicFields)
        {
            var safe = NotIdentifier().Replace(field, "_");
            if (safe.Length == 0 || !char.IsLetter(safe[0]) && safe[0] != '_') safe = "_" + safe;
            if (safe.Length > 120) safe = safe[..120];
            var name = safe;
            for (var n = 1; declared.Contains(name) || fields.ContainsKey(name); n++) name = $"{safe}_{n}";
            fields[name] = field;
        }
        return fields;
    }

    /// <summary>What a declared property of a feature set means in a filter: City, Layer, LayerId and Kind are facts of the feature's layer.</summary>
    public static Operand? Property(string name) => name switch
    {
        "Id" => new FeatureId(),
        "AreaM2" => new AreaOf(),
        "City" => new LayerProperty(LayerFact.City),
        "Layer" => new LayerProperty(LayerFact.Layer),
        "LayerId" => new LayerProperty(LayerFact.LayerId),
        "Kind" => new LayerProperty(LayerFact.Kind),
        "Wkt" or "GeoJson" or "CentroidLon" or "CentroidLat" or "MinLon" or "MinLat" or "MaxLon" or "MaxLat" => null,
        _ => new Field(name),
    };

    [GeneratedRegex(@"[^\p{L}\p{Nd}_]")]
    private static partial Regex NotIdentifier();
}
