using System.Text;
using System.Xml;
using Microsoft.OData.Edm;
using Microsoft.OData.Edm.Csdl;
using Microsoft.OData.Edm.Validation;

namespace SpatialReadiness.Server.OData;

/// <summary>
/// The service document and $metadata of the reader's model. $metadata is CSDL XML, which every OData 4.0 client
/// (Excel, Power BI, ts-odatajs) reads, whatever it sends as Accept; CSDL JSON (OData 4.01) only for a client that
/// asks the way only 4.01 clients do: $format=json, or Accept: application/json with odata.metadata and
/// OData-MaxVersion (or OData-Version) 4.01.
/// </summary>
internal static class ODataMetadata
{
    public static IResult ServiceDocument(HttpRequest request, ODataService service)
    {
        var root = ODataLinks.Root(request);
        request.HttpContext.Response.Headers["OData-Version"] = "4.0";
        return Results.Json(new Dictionary<string, object>
        {
            ["@odata.context"] = root + "$metadata",
            ["value"] = service.Model.EntityContainer.EntitySets().Select(s => new { name = s.Name, kind = "EntitySet", url = s.Name }),
        }, contentType: "application/json;odata.metadata=minimal;charset=utf-8");
    }

    public static IResult Document(HttpRequest request, ODataService service)
    {
        IEnumerable<EdmError> errors;
        request.HttpContext.Response.Headers["OData-Version"] = WantsJson(request) ? "4.01" : "4.0";
        if (WantsJson(request))
        {
            using var buffer = new MemoryStream();
            using (var json = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions { Indented = true }))
                if (!CsdlWriter.TryWriteCsdl(service.Model, json, out errors)) throw Invalid(errors);
            return Results.Bytes(buffer.ToArray(), "application/json;charset=utf-8");
        }
        var text = new StringBuilder();
        using (var xml = XmlWriter.Create(text, new XmlWriterSettings { Indent = true, Encoding = Encoding.UTF8 }))
            if (!CsdlWriter.TryWriteCsdl(service.Model, xml, CsdlTarget.OData, out errors)) throw Invalid(errors);
        // StringBuilder output declares utf-16; the bytes sent are UTF-8.
        return Results.Text(text.ToString().Replace("encoding=\"utf-16\"", "encoding=\"utf-8\""), "application/xml;charset=utf-8", Encoding.UTF8);
    }

    private static bool WantsJson(HttpRequest request)
    {
        if (request.Query["$format"].FirstOrDefault() is { } format)
            return format.Equals("json", StringComparison.OrdinalIgnoreCase) || format.StartsWith("application/json", StringComparison.OrdinalIgnoreCase);
        var version = request.Headers["OData-MaxVersion"].FirstOrDefault() ?? request.Headers["OData-Version"].FirstOrDefault();
        var modern = Version.TryParse(version, out var v) && v >= new Version(4, 1);
        return modern && request.Headers.Accept.Any(a => a is not null
            && a.Contains("application/json", StringComparison.OrdinalIgnoreCase) && a.Contains("odata.metadata", StringComparison.OrdinalIgnoreCase));
    }

    private static InvalidOperationException Invalid(IEnumerable<EdmError> errors) =>
        new("the OData model is not valid CSDL: " + string.Join("; ", errors.Select(e => e.ErrorMessage)));
}
