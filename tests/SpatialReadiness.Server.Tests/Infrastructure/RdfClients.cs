using System.Diagnostics;
using System.Text.Json;

namespace SpatialReadiness.Server.Tests.Infrastructure;

/// <summary>
/// Independent RDF tools the catalogue tests drive: Zazuko's rdf-validate-shacl under node (tests/clients/shacl,
/// installed by tools/setup) against the DCAT-AP 3.0.1 shapes in ../shared/spec, and Debian's rdflib comparing graphs.
/// </summary>
public static class RdfClients
{
    private static string Clients(string relative) => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../clients", relative));

    public static string DcatAp(string file) => SharedData.Path($"../spec/dcat-ap-3.0.1/{file}");

    /// <summary>Validates Turtle against DCAT-AP's shapes and ranges plus our recommended-property warnings.</summary>
    public static async Task<JsonElement> ValidateAsync(string turtle)
    {
        var script = Clients("shacl/validate.mjs");
        Assert.True(Directory.Exists(Clients("shacl/node_modules/rdf-validate-shacl")), "rdf-validate-shacl is not installed: run tools/setup");
        var data = SharedData.TempFile("catalog.ttl", turtle);
        var start = new ProcessStartInfo("node");
        foreach (var argument in new[] { script, data, DcatAp("dcat-ap-SHACL.ttl"), DcatAp("ranges.ttl"), Clients("shacl/recommended.ttl") }) start.ArgumentList.Add(argument);
        return JsonDocument.Parse(await ClientProcess.RunAsync(start, "node validate.mjs failed")).RootElement.Clone();
    }

    /// <summary>rdflib's reading of the three syntaxes: {triples: {turtle, json-ld, xml}, same}.</summary>
    public static async Task<JsonElement> CompareAsync(string turtle, string jsonLd, string rdfXml)
    {
        var start = new ProcessStartInfo("/usr/bin/python3");
        foreach (var argument in new[] { Clients("rdf/same_graph.py"), SharedData.TempFile("c.ttl", turtle), SharedData.TempFile("c.jsonld", jsonLd), SharedData.TempFile("c.rdf", rdfXml) })
            start.ArgumentList.Add(argument);
        return JsonDocument.Parse(await ClientProcess.RunAsync(start, "rdflib could not read the catalogue")).RootElement.Clone();
    }

    /// <summary>The CKAN client script: each call as ckanapi makes it, each envelope checked.</summary>
    public static async Task<JsonElement[]> CkanAsync(Uri server, params object[] calls)
    {
        var start = new ProcessStartInfo("/usr/bin/python3");
        foreach (var argument in new[] { Clients("ckan/ckan_client.py"), server.ToString(), JsonSerializer.Serialize(calls) }) start.ArgumentList.Add(argument);
        return [.. JsonDocument.Parse(await ClientProcess.RunAsync(start, "the CKAN client found a malformed answer")).RootElement.Clone().EnumerateArray()];
    }
}
