using System.Text;

namespace SpatialReadiness.Server.Publishing.Rdf;

/// <summary>Turtle (RDF 1.1): the known prefixes, then each subject with its predicates separated by ';'.</summary>
public static class TurtleWriter
{
    public const string MediaType = "text/turtle";

    public static string Write(RdfGraph graph)
    {
        var text = new StringBuilder();
        foreach (var (prefix, ns) in Vocabulary.Prefixes) text.Append("@prefix ").Append(prefix).Append(": <").Append(ns).Append("> .\n");
        foreach (var subject in graph.BySubject())
        {
            text.Append('\n').Append(Term(subject.Key));
            var first = true;
            foreach (var triple in subject)
            {
                text.Append(first ? "\n    " : " ;\n    ").Append(triple.Predicate.Value == Vocabulary.Expand("rdf:type") ? "a" : Term(triple.Predicate))
                    .Append(' ').Append(Term(triple.Object));
                first = false;
            }
            text.Append(" .\n");
        }
        return text.ToString();
    }

    private static string Term(RdfTerm term) => term switch
    {
        Iri iri => Vocabulary.Split(iri.Value) is { } name ? $"{name.Prefix}:{name.Local}" : $"<{iri.Value}>",
        Blank blank => $"_:{blank.Id}",
        Literal { Language: { } language } literal => $"{Quote(literal.Value)}@{language}",
        Literal literal when literal.EffectiveDatatype == Literal.XsdString => Quote(literal.Value),
        Literal literal => $"{Quote(literal.Value)}^^{Term(new Iri(literal.EffectiveDatatype))}",
        _ => throw new ArgumentOutOfRangeException(nameof(term)),
    };

    private static string Quote(string value)
    {
        var text = new StringBuilder("\"");
        foreach (var c in value)
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        return text.Append('"').ToString();
    }
}
