using System.Text.Json;
using System.Text.Json.Nodes;

namespace SpatialReadiness.Server.Publishing.Rdf;

/// <summary>
/// JSON-LD 1.1: a @context of the known prefixes and a flat @graph of node objects, one per subject; every value is
/// a node reference or a value object, so any JSON-LD processor expands it to exactly the graph's triples.
/// </summary>
public static class JsonLdWriter
{
    public const string MediaType = "application/ld+json";

    public static string Write(RdfGraph graph) => Document(graph).ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    public static JsonObject Document(RdfGraph graph)
    {
        var context = new JsonObject();
        foreach (var (prefix, ns) in Vocabulary.Prefixes) context[prefix] = ns;
        var nodes = new JsonArray();
        var type = Vocabulary.Expand("rdf:type");
        foreach (var subject in graph.BySubject())
        {
            var node = new JsonObject { ["@id"] = Id(subject.Key) };
            var types = subject.Where(t => t.Predicate.Value == type).Select(t => (JsonNode)Name(((Iri)t.Object).Value)).ToArray();
            if (types.Length > 0) node["@type"] = new JsonArray(types);
            foreach (var byPredicate in subject.Where(t => t.Predicate.Value != type).GroupBy(t => t.Predicate.Value))
                node[Name(byPredicate.Key)] = new JsonArray(byPredicate.Select(t => Value(t.Object)).ToArray());
            nodes.Add(node);
        }
        return new JsonObject { ["@context"] = context, ["@graph"] = nodes };
    }

    private static string Id(RdfTerm term) => term switch
    {
        Iri iri => iri.Value,
        Blank blank => $"_:{blank.Id}",
        _ => throw new ArgumentOutOfRangeException(nameof(term)),
    };

    private static string Name(string iri) => Vocabulary.Split(iri) is { } name ? $"{name.Prefix}:{name.Local}" : iri;

    private static JsonNode Value(RdfTerm term) => term switch
    {
        Literal { Language: { } language } literal => new JsonObject { ["@value"] = literal.Value, ["@language"] = language },
        Literal literal when literal.EffectiveDatatype == Literal.XsdString => new JsonObject { ["@value"] = literal.Value },
        Literal literal => new JsonObject { ["@value"] = literal.Value, ["@type"] = literal.EffectiveDatatype },
        _ => new JsonObject { ["@id"] = Id(term) },
    };
}
