using System.Globalization;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Publishing;
using SpatialReadiness.Server.Publishing.Rdf;

namespace SpatialReadiness.Server.Publishing;

/// <summary>
/// The layer's DMAF 4.e quality Q (0-100) from the city's newest check and the rule-set version it was measured with,
/// as dqv:QualityMeasurements linked (rdfs:seeAlso) to the findings behind them. A layer no check has seen yet has none.
/// </summary>
public static class DcatQuality
{
    public static void Add(RdfGraph graph, CatalogInput input, PublishedUrls urls, LayerInfo layer, Iri dataset)
    {
        if (input.Quality(layer) is not { } quality || input.RuleSetVersion(layer) is not { } ruleSet) return;
        var measuredAt = DcatCatalog.DateTime(input.Scores[layer.City].EvaluatedAt);
        var findings = new Iri(urls.Findings(layer));
        var value = new Literal(quality.Quality.ToString("0.####", CultureInfo.InvariantCulture), Rdf.Vocabulary.Expand("xsd:decimal"));
        var note = quality.Gate is null ? $"DMAF 4.e layer quality of version {quality.Version} ({quality.FeatureCount} features)"
            : $"DMAF 4.e layer quality of version {quality.Version}: 0, gate failed ({quality.Gate})";
        foreach (var (metric, measured, comment) in new[]
        {
            (Metric(graph, urls, "layer-quality", "DMAF 4.e layer quality", "100 x the weighted share of rule credit kept (rule set in the readiness report); 0 when a gate fails", "xsd:decimal"), (RdfTerm)value, note),
            (Metric(graph, urls, "rule-set-version", "Readiness rule-set version", "The version of the DMAF 4.e rule set the quality was measured with", "xsd:string"), new Literal(ruleSet), $"rule set {ruleSet}"),
        })
        {
            var measurement = graph.NewBlank();
            graph.Type(measurement, "dqv:QualityMeasurement")
                .Add(measurement, "dqv:isMeasurementOf", metric)
                .Add(measurement, "dqv:computedOn", dataset)
                .Add(measurement, "dqv:value", measured)
                .Add(measurement, "prov:generatedAtTime", measuredAt)
                .Add(measurement, "rdfs:comment", new Literal(comment, Language: "en"))
                .Add(measurement, "rdfs:seeAlso", findings);
            graph.Add(dataset, "dqv:hasQualityMeasurement", measurement);
        }
    }

    private static Iri Metric(RdfGraph graph, PublishedUrls urls, string name, string label, string definition, string type)
    {
        var metric = new Iri($"{urls.Root}/catalog/metrics/{name}");
        graph.Type(metric, "dqv:Metric")
            .Add(metric, "skos:prefLabel", new Literal(label, Language: "en"))
            .Add(metric, "skos:definition", new Literal(definition, Language: "en"))
            .Add(metric, "dqv:expectedDataType", new Iri(Rdf.Vocabulary.Expand(type)));
        return metric;
    }
}
