namespace SpatialReadiness.Server.Publishing.Rdf;

/// <summary>The prefixes the catalogue uses, and expansion of "dcat:Dataset" style names to full IRIs.</summary>
public static class Vocabulary
{
    public static readonly IReadOnlyList<(string Prefix, string Namespace)> Prefixes =
    [
        ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
        ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
        ("xsd", "http://www.w3.org/2001/XMLSchema#"),
        ("dcat", "http://www.w3.org/ns/dcat#"),
        ("dct", "http://purl.org/dc/terms/"),
        ("foaf", "http://xmlns.com/foaf/0.1/"),
        ("vcard", "http://www.w3.org/2006/vcard/ns#"),
        ("locn", "http://www.w3.org/ns/locn#"),
        ("gsp", "http://www.opengis.net/ont/geosparql#"),
        ("prov", "http://www.w3.org/ns/prov#"),
        ("dqv", "http://www.w3.org/ns/dqv#"),
        ("skos", "http://www.w3.org/2004/02/skos/core#"),
        ("adms", "http://www.w3.org/ns/adms#"),
    ];

    public static string Expand(string name)
    {
        var colon = name.IndexOf(':');
        if (colon > 0 && !name.Contains("://", StringComparison.Ordinal))
            foreach (var (prefix, ns) in Prefixes)
                if (name.AsSpan(0, colon).SequenceEqual(prefix)) return ns + name[(colon + 1)..];
        return name;
    }

    /// <summary>The prefix and local name of an IRI when a known namespace holds it and the local name is a plain name.</summary>
    public static (string Prefix, string Namespace, string Local)? Split(string iri)
    {
        foreach (var (prefix, ns) in Prefixes)
            if (iri.StartsWith(ns, StringComparison.Ordinal) && iri.Length > ns.Length && IsName(iri[ns.Length..])) return (prefix, ns, iri[ns.Length..]);
        return null;
    }

    private static bool IsName(string local) =>
        char.IsAsciiLetter(local[0]) && local.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
}
