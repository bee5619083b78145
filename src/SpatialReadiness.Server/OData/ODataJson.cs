using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SpatialReadiness.Server.OData;

/// <summary>
/// How OData responses are written: UTF-8 JSON straight into the response pipe, quotes in geometry text escaped as \"
/// rather than \u0022. SR_ODATA_VALIDATE=true (the tests set it) makes the writer check every object and name it
/// writes; without it, an open entity's stored attributes can be spliced in as members (ODataEntityWriter.OpenFeature).
/// </summary>
public sealed class ODataJson(IConfiguration configuration)
{
    public bool Validate { get; } = configuration.GetValue("SR_ODATA_VALIDATE", false);

    public Utf8JsonWriter Writer(IBufferWriter<byte> output) =>
        new(output, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = !Validate });

    /// <summary>Opens the response object and its "value" array; ODataFeed.EndAsync closes them.</summary>
    public Utf8JsonWriter Begin(HttpContext http, string root, string context, long? count)
    {
        http.Response.ContentType = ODataLinks.JsonType;
        http.Response.Headers["OData-Version"] = "4.0";
        var json = Writer(http.Response.BodyWriter);
        json.WriteStartObject();
        json.WriteString("@odata.context", $"{root}$metadata#{context}");
        if (count is not null) json.WriteNumber("@odata.count", count.Value);
        json.WriteStartArray("value");
        return json;
    }
}
