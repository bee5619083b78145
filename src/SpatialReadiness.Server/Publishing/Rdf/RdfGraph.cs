namespace SpatialReadiness.Server.Publishing.Rdf;

/// <summary>An RDF term: an IRI, a blank node ("_:b1") or a literal with a datatype IRI or a language tag.</summary>
public abstract record RdfTerm;

public sealed record Iri(string Value) : RdfTerm;

public sealed record Blank(string Id) : RdfTerm;

public sealed record Literal(string Value, string? Datatype = null, string? Language = null) : RdfTerm
{
    public const string XsdString = "http://www.w3.org/2001/XMLSchema#string";
    public string EffectiveDatatype => Language is not null ? "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString" : Datatype ?? XsdString;
}

public sealed record Triple(RdfTerm Subject, Iri Predicate, RdfTerm Object);

/// <summary>
/// A small in-memory RDF graph, written as Turtle, JSON-LD or RDF/XML (the catalogue is a few hundred triples per
/// city: no streaming needed). Triples keep the order they were added in, and duplicates are dropped, so every
/// serialisation lists the same set of statements.
/// </summary>
public sealed class RdfGraph
{
    private readonly List<Triple> _triples = [];
    private readonly HashSet<Triple> _seen = [];
    private int _blanks;

    public IReadOnlyList<Triple> Triples => _triples;

    public Blank NewBlank() => new($"b{++_blanks}");

    public RdfGraph Add(RdfTerm subject, string predicate, RdfTerm? @object)
    {
        if (@object is null) return this;
        var triple = new Triple(subject, new Iri(Vocabulary.Expand(predicate)), @object);
        if (_seen.Add(triple)) _triples.Add(triple);
        return this;
    }

    public RdfGraph Type(RdfTerm subject, params string[] classes)
    {
        foreach (var c in classes) Add(subject, "rdf:type", new Iri(Vocabulary.Expand(c)));
        return this;
    }

    /// <summary>The subjects in order of first appearance, each with its triples: what the writers group by.</summary>
    public IEnumerable<IGrouping<RdfTerm, Triple>> BySubject() => _triples.GroupBy(t => t.Subject);
}
