using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Publishing;
using SpatialReadiness.Server.Publishing.Rdf;

namespace SpatialReadiness.Server.Publishing;

/// <summary>
/// The DCAT-AP 3 catalogue (with GeoDCAT-AP's spatial and provenance properties): a dcat:Catalog for the server
/// holding one per city, every public layer a dcat:Dataset in both, with its distributions, data services and quality
/// measurements (<see cref="DcatDataset"/>). <paramref name="city"/> null: the whole server; else that city only.
/// </summary>
public static class DcatCatalog
{
    public static RdfGraph Build(CatalogInput input, PublishedUrls urls, string? city = null)
    {
        var graph = new RdfGraph();
        var cities = input.Cities.Where(c => city is null || c.Id == city).ToList();
        var root = new Iri(urls.Catalog());
        if (city is null)
        {
            graph.Type(root, "dcat:Catalog")
                .Add(root, "dct:title", new Literal("SpatialReadiness: spatial layers of Indian cities", Language: "en"))
                .Add(root, "dct:description", new Literal("Every public layer this map server holds (wards, slums, assets, city boundaries), with downloads, OGC API - Features, OData and vector tiles, and the DMAF 4.e readiness quality of each.", Language: "en"))
                .Add(root, "dct:publisher", Agent(graph, urls.Root + "/catalog/publisher", "SpatialReadiness map server"))
                .Add(root, "foaf:homepage", Document(graph, urls.Root + "/"));
            Common(graph, root, input.Layers, urls);
        }
        foreach (var c in cities)
        {
            var catalog = new Iri(urls.Catalog(c.Id));
            var layers = input.Layers.Where(l => l.City == c.Id).ToList();
            if (city is null) graph.Add(root, "dcat:catalog", catalog);
            graph.Type(catalog, "dcat:Catalog")
                .Add(catalog, "dct:title", new Literal($"{c.Name}: spatial layers", Language: "en"))
                .Add(catalog, "dct:description", new Literal($"The public spatial layers of {c.Name}{(c.State is null ? "" : $", {c.State}")}: {layers.Count} datasets with downloads and APIs.", Language: "en"))
                .Add(catalog, "dct:publisher", Agent(graph, $"{urls.Catalog(c.Id)}/publisher", $"{c.Name} (city)"))
                .Add(catalog, "foaf:homepage", Document(graph, $"{urls.Root}/?city={c.Id}"));
            if (c.Bbox is { } box) graph.Add(catalog, "dct:spatial", Location(graph, box));
            Common(graph, catalog, layers, urls);
        }
        foreach (var layer in input.Layers.Where(l => city is null || l.City == city)) DcatDataset.Add(graph, input, urls, layer);
        return graph;
    }

    private static void Common(RdfGraph graph, Iri catalog, IReadOnlyList<LayerInfo> layers, PublishedUrls urls)
    {
        graph.Add(catalog, "dct:language", Typed(graph, "http://publications.europa.eu/resource/authority/language/ENG", "dct:LinguisticSystem"));
        if (layers.Count > 0) graph.Add(catalog, "dct:modified", DateTime(layers.Max(l => l.ContentUpdatedAt ?? l.UpdatedAt)));
        foreach (var layer in layers)
        {
            graph.Add(catalog, "dcat:dataset", new Iri(urls.Dataset(layer)));
            foreach (var service in DcatDataset.ServiceIris(urls, layer)) graph.Add(catalog, "dcat:service", new Iri(service));
        }
    }

    public static Iri Agent(RdfGraph graph, string iri, string name)
    {
        var agent = new Iri(iri);
        graph.Type(agent, "foaf:Agent", "foaf:Organization").Add(agent, "foaf:name", new Literal(name));
        return agent;
    }

    public static Iri Document(RdfGraph graph, string iri) => Typed(graph, iri, "foaf:Document");

    public static Iri Typed(RdfGraph graph, string iri, string type)
    {
        var node = new Iri(iri);
        graph.Type(node, type);
        return node;
    }

    /// <summary>
    /// A dct:Location as GeoDCAT-AP has it: its bounding box and centroid as GeoSPARQL WKT literals (dcat:bbox,
    /// dcat:centroid), and the box as a locn:Geometry node carrying WKT and GeoJSON (gsp:asWKT, gsp:asGeoJSON).
    /// </summary>
    public static Blank Location(RdfGraph graph, double[] box)
    {
        var location = graph.NewBlank();
        var geometry = graph.NewBlank();
        string N(double v) => v.ToString("0.######", System.Globalization.CultureInfo.InvariantCulture);
        var (w, s, e, n) = (N(box[0]), N(box[1]), N(box[2]), N(box[3]));
        var wkt = new Literal($"POLYGON(({w} {s}, {e} {s}, {e} {n}, {w} {n}, {w} {s}))", Vocabulary.Expand("gsp:wktLiteral"));
        graph.Type(geometry, "locn:Geometry")
            .Add(geometry, "gsp:asWKT", wkt)
            .Add(geometry, "gsp:asGeoJSON", new Literal($"{{\"type\":\"Polygon\",\"coordinates\":[[[{w},{s}],[{e},{s}],[{e},{n}],[{w},{n}],[{w},{s}]]]}}", Vocabulary.Expand("gsp:geoJSONLiteral")));
        graph.Type(location, "dct:Location")
            .Add(location, "dcat:bbox", wkt)
            .Add(location, "dcat:centroid", new Literal($"POINT({N((box[0] + box[2]) / 2)} {N((box[1] + box[3]) / 2)})", Vocabulary.Expand("gsp:wktLiteral")))
            .Add(location, "locn:geometry", geometry);
        return location;
    }

    /// <summary>A URL that DCAT-AP types as rdfs:Resource (endpoint URLs and descriptions).</summary>
    public static Iri Resource(RdfGraph graph, string iri) => Typed(graph, iri, "rdfs:Resource");

    public static Literal DateTime(DateTimeOffset at) =>
        new(at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), Vocabulary.Expand("xsd:dateTime"));

    public static Literal Date(DateOnly day) => new(day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), Vocabulary.Expand("xsd:date"));
}
