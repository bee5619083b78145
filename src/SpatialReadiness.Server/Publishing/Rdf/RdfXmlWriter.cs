using System.Text;
using System.Xml;

namespace SpatialReadiness.Server.Publishing.Rdf;

/// <summary>RDF/XML: one rdf:Description per subject (rdf:about or rdf:nodeID), one property element per triple.</summary>
public static class RdfXmlWriter
{
    public const string MediaType = "application/rdf+xml";
    private const string Rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";

    public static string Write(RdfGraph graph)
    {
        var text = new StringBuilder();
        using (var xml = XmlWriter.Create(text, new XmlWriterSettings { Indent = true, OmitXmlDeclaration = false, Encoding = Encoding.UTF8 }))
        {
            xml.WriteStartElement("rdf", "RDF", Rdf);
            foreach (var (prefix, ns) in Vocabulary.Prefixes) xml.WriteAttributeString("xmlns", prefix, null, ns);
            var extra = 0;
            var declared = new Dictionary<string, string>();
            foreach (var subject in graph.BySubject())
            {
                xml.WriteStartElement("rdf", "Description", Rdf);
                Reference(xml, subject.Key, "about");
                foreach (var triple in subject)
                {
                    var (prefix, ns, local) = Vocabulary.Split(triple.Predicate.Value) ?? SplitUnknown(triple.Predicate.Value, declared, ref extra);
                    xml.WriteStartElement(prefix, local, ns);
                    switch (triple.Object)
                    {
                        case Literal { Language: { } language } literal:
                            xml.WriteAttributeString("xml", "lang", null, language);
                            xml.WriteString(literal.Value);
                            break;
                        case Literal literal:
                            if (literal.EffectiveDatatype != Literal.XsdString) xml.WriteAttributeString("rdf", "datatype", Rdf, literal.EffectiveDatatype);
                            xml.WriteString(literal.Value);
                            break;
                        default:
                            Reference(xml, triple.Object, "resource");
                            break;
                    }
                    xml.WriteEndElement();
                }
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
        }
        return text.ToString().Replace("encoding=\"utf-16\"", "encoding=\"utf-8\"", StringComparison.Ordinal);
    }

    private static void Reference(XmlWriter xml, RdfTerm term, string iriAttribute)
    {
        if (term is Blank blank) xml.WriteAttributeString("rdf", "nodeID", Rdf, blank.Id);
        else xml.WriteAttributeString("rdf", iriAttribute, Rdf, ((Iri)term).Value);
    }

    /// <summary>A predicate outside the known namespaces: split after its last '#' or '/', under a made-up prefix.</summary>
    private static (string, string, string) SplitUnknown(string iri, Dictionary<string, string> declared, ref int extra)
    {
        var at = Math.Max(iri.LastIndexOf('#'), iri.LastIndexOf('/')) + 1;
        var ns = iri[..at];
        if (!declared.TryGetValue(ns, out var prefix)) declared[ns] = prefix = $"ns{++extra}";
        return (prefix, ns, iri[at..]);
    }
}
