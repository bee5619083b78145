using System.Globalization;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Publishing;
using SpatialReadiness.Server.Publishing.Rdf;

namespace SpatialReadiness.Server.Publishing;

/// <summary>
/// One public layer as a dcat:Dataset: its description, extent, dates, publisher, contact, licence, provenance and
/// update frequency; a dcat:Distribution per download format; a dcat:DataService for its OGC API collection, OData
/// entity set and vector tiles; and its DMAF 4.e quality and rule-set version as dqv:QualityMeasurements.
/// </summary>
public static class DcatDataset
{
    private const string MediaTypes = "http://www.iana.org/assignments/media-types/";
    private const string FileTypes = "http://publications.europa.eu/resource/authority/file-type/";

    private static readonly Dictionary<string, (string Title, string MediaType, string FileType)> Downloads = new()
    {
        ["geojson"] = ("GeoJSON", "application/geo+json", "GEOJSON"),
        ["csv"] = ("CSV (WKT geometry)", "text/csv", "CSV"),
        ["shp"] = ("Shapefile (zipped)", "application/zip", "SHP"),
        ["gpkg"] = ("GeoPackage", "application/geopackage+sqlite3", "GPKG"),
    };

    public static IEnumerable<string> ServiceIris(PublishedUrls urls, LayerInfo layer) =>
        new[] { "ogc", "odata", "tiles" }.Select(s => $"{urls.Dataset(layer)}/services/{s}");

    public static void Add(RdfGraph graph, CatalogInput input, PublishedUrls urls, LayerInfo layer)
    {
        var dataset = new Iri(urls.Dataset(layer));
        var (publisherId, publisherName) = input.Publisher(layer);
        var publisher = DcatCatalog.Agent(graph, $"{urls.Root}/catalog/agents/{publisherId}", publisherName);
        var modified = DcatCatalog.DateTime(layer.ContentUpdatedAt ?? layer.UpdatedAt);
        var licence = Licence(graph, layer.Licence);
        graph.Type(dataset, "dcat:Dataset")
            .Add(dataset, "dct:title", new Literal(layer.Title, Language: "en"))
            .Add(dataset, "dct:description", new Literal(input.Description(layer), Language: "en"))
            .Add(dataset, "dct:identifier", new Literal(PublishedUrls.CkanName(layer)))
            .Add(dataset, "dct:publisher", publisher)
            .Add(dataset, "dct:issued", DcatCatalog.DateTime(layer.CreatedAt))
            .Add(dataset, "dct:modified", modified)
            .Add(dataset, "dcat:landingPage", DcatCatalog.Document(graph, urls.Collection(layer) + "?f=html"))
            .Add(dataset, "dcat:theme", Theme(graph));
        foreach (var keyword in input.Keywords(layer)) graph.Add(dataset, "dcat:keyword", new Literal(keyword, Language: "en"));
        if (layer.Bbox is { } box) graph.Add(dataset, "dct:spatial", DcatCatalog.Location(graph, box));
        if (layer.SurveyDate is { } surveyed)
        {
            var period = graph.NewBlank();
            graph.Type(period, "dct:PeriodOfTime").Add(period, "dcat:startDate", DcatCatalog.Date(surveyed)).Add(period, "dcat:endDate", DcatCatalog.Date(surveyed));
            graph.Add(dataset, "dct:temporal", period);
        }
        if (UpdateFrequencies.TryParse(layer.UpdateFrequency, out var frequency) && layer.UpdateFrequency is not null)
            graph.Add(dataset, "dct:accrualPeriodicity", DcatCatalog.Typed(graph, frequency.EuUri(), "dct:Frequency"));
        var contact = graph.NewBlank();
        graph.Type(contact, "vcard:Kind", "vcard:Organization").Add(contact, "vcard:fn", new Literal(layer.Custodian ?? publisherName))
            .Add(contact, "vcard:hasURL", new Iri(urls.Layer(layer)));
        graph.Add(dataset, "dcat:contactPoint", contact);
        Provenance(graph, dataset, layer);
        foreach (var (format, (title, mediaType, fileType)) in Downloads)
        {
            var distribution = new Iri($"{urls.Dataset(layer)}/distributions/{format}");
            var download = new Iri(urls.Download(layer, format));
            graph.Type(distribution, "dcat:Distribution")
                .Add(distribution, "dct:title", new Literal($"{layer.Title} as {title}", Language: "en"))
                .Add(distribution, "dcat:accessURL", download)
                .Add(distribution, "dcat:downloadURL", download)
                .Add(distribution, "dcat:mediaType", DcatCatalog.Typed(graph, MediaTypes + mediaType, "dct:MediaType"))
                .Add(distribution, "dct:format", DcatCatalog.Typed(graph, FileTypes + fileType, "dct:MediaTypeOrExtent"))
                .Add(distribution, "dct:license", licence)
                .Add(distribution, "dct:modified", modified);
            graph.Add(dataset, "dcat:distribution", distribution);
        }
        Services(graph, urls, layer, dataset, licence, publisher);
        DcatQuality.Add(graph, input, urls, layer, dataset);
    }

    private static void Services(RdfGraph graph, PublishedUrls urls, LayerInfo layer, Iri dataset, RdfTerm licence, Iri publisher)
    {
        (string Key, string Title, string Endpoint, string Description, string Standard)[] services =
        [
            ("ogc", $"OGC API - Features collection {layer.City}__{layer.Name}", urls.Collection(layer), urls.OgcRoot + "/api", ApiStandards.OgcFeaturesCore),
            ("odata", $"OData entity set {PublishedUrls.ODataSetName(layer.Kind)} ({layer.City}/{layer.Name})", urls.ODataSet(layer), urls.ODataRoot + "/$metadata", ApiStandards.OData),
            ("tiles", $"Mapbox vector tiles of {layer.Title}", urls.TileJson(layer), urls.TileJson(layer), ApiStandards.VectorTiles),
        ];
        foreach (var (key, title, endpoint, description, standard) in services)
        {
            var service = new Iri($"{urls.Dataset(layer)}/services/{key}");
            graph.Type(service, "dcat:DataService")
                .Add(service, "dct:title", new Literal(title, Language: "en"))
                .Add(service, "dcat:endpointURL", DcatCatalog.Resource(graph, endpoint))
                .Add(service, "dcat:endpointDescription", DcatCatalog.Resource(graph, description))
                .Add(service, "dct:conformsTo", DcatCatalog.Typed(graph, standard, "dct:Standard"))
                .Add(service, "dcat:servesDataset", dataset)
                .Add(service, "dct:license", licence)
                .Add(service, "dct:publisher", publisher);
        }
    }

    /// <summary>A known licence as its URI; any other as a licence document carrying the words the uploader gave.</summary>
    private static RdfTerm Licence(RdfGraph graph, string text)
    {
        if (Licences.Recognise(text) is { } known)
        {
            var iri = DcatCatalog.Typed(graph, known.Uri, "dct:LicenseDocument");
            graph.Add(iri, "rdfs:label", new Literal(known.Title));
            return iri;
        }
        var document = graph.NewBlank();
        graph.Type(document, "dct:LicenseDocument").Add(document, "rdfs:label", new Literal(text));
        return document;
    }

    private static Iri Theme(RdfGraph graph)
    {
        var theme = DcatCatalog.Typed(graph, "http://publications.europa.eu/resource/authority/data-theme/REGI", "skos:Concept");
        graph.Add(theme, "skos:prefLabel", new Literal("Regions and cities", Language: "en"));
        return theme;
    }

    /// <summary>GeoDCAT-AP provenance: a statement of where the current version came from, and the custodian as an attribution.</summary>
    private static void Provenance(RdfGraph graph, Iri dataset, LayerInfo layer)
    {
        var p = layer.Provenance;
        var statement = graph.NewBlank();
        graph.Type(statement, "dct:ProvenanceStatement").Add(statement, "rdfs:label", new Literal(string.Create(CultureInfo.InvariantCulture,
            $"Version {layer.Version}: {p.SourceFile} ({p.Format}, {p.DigestText}, CRS {p.CrsReceived}) imported by {p.ImportedBy}{(p.Organisation is null ? "" : $" of {p.Organisation}")} on {p.ImportedAt:yyyy-MM-dd}; source: {layer.Source ?? "not stated"}; stored in EPSG:4326."), Language: "en"));
        graph.Add(dataset, "dct:provenance", statement);
        if (layer.Custodian is { } custodian)
        {
            var attribution = graph.NewBlank();
            var agent = graph.NewBlank();
            graph.Type(agent, "foaf:Agent").Add(agent, "foaf:name", new Literal(custodian));
            graph.Type(attribution, "prov:Attribution").Add(attribution, "prov:agent", agent)
                .Add(attribution, "dcat:hadRole", DcatCatalog.Typed(graph, "http://inspire.ec.europa.eu/metadata-codelist/ResponsiblePartyRole/custodian", "dcat:Role"));
            graph.Add(dataset, "prov:qualifiedAttribution", attribution);
        }
    }
}
