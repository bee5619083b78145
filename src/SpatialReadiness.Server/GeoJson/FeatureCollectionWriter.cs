using System.IO.Pipelines;
using System.Text.Encodings.Web;
using System.Text.Json;
using SpatialReadiness.PostGis.Features;

namespace SpatialReadiness.Server.GeoJson;

/// <summary>
/// The one way the server writes a GeoJSON FeatureCollection (OGC API items, layer downloads, findings), streamed:
/// {"type":"FeatureCollection", the caller's leading members, "features":[...], the caller's closing members}.
/// Features are written as rows arrive and flushed every few hundred, so neither a page nor a whole layer is held in
/// memory. A feature is {"type":"Feature","id","geometry","properties"} from a row, or the JSON PostGIS already made.
/// </summary>
public sealed class FeatureCollectionWriter : IAsyncDisposable
{
    private const int FlushEvery = 200;
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    // Encoded once: written per feature, a string name is transcoded and checked for escaping every time.
    private static readonly JsonEncodedText Type = JsonEncodedText.Encode("type"), Feature = JsonEncodedText.Encode("Feature"),
        Id = JsonEncodedText.Encode("id"), Geometry = JsonEncodedText.Encode("geometry"), Properties = JsonEncodedText.Encode("properties");

    private readonly Utf8JsonWriter _json;
    private readonly PipeWriter? _pipe;

    private FeatureCollectionWriter(Utf8JsonWriter json, PipeWriter? pipe, Action<Utf8JsonWriter>? leading)
    {
        (_json, _pipe) = (json, pipe);
        _json.WriteStartObject();
        _json.WriteString("type", "FeatureCollection");
        leading?.Invoke(_json);
        _json.WriteStartArray("features");
    }

    /// <summary>Starts the collection on a response body; <paramref name="leading"/> writes the members before "features".</summary>
    public static FeatureCollectionWriter Start(PipeWriter body, Action<Utf8JsonWriter>? leading = null) => new(new Utf8JsonWriter(body, Options), body, leading);

    /// <summary>Starts the collection on a stream (a download, a file for GDAL).</summary>
    public static FeatureCollectionWriter Start(Stream body, Action<Utf8JsonWriter>? leading = null) => new(new Utf8JsonWriter(body, Options), null, leading);

    /// <summary>How many features have been written.</summary>
    public int Written { get; private set; }

    public ValueTask WriteAsync(FeatureRow row, CancellationToken cancellationToken)
    {
        _json.WriteStartObject();
        _json.WriteString(Type, Feature);
        _json.WriteNumber(Id, row.Id);
        _json.WritePropertyName(Geometry);
        if (row.GeoJson is null) _json.WriteNullValue();
        else _json.WriteRawValue(row.GeoJson, skipInputValidation: true);
        _json.WritePropertyName(Properties);
        _json.WriteRawValue(row.PropertiesJson, skipInputValidation: true);
        _json.WriteEndObject();
        return CountAsync(cancellationToken);
    }

    /// <summary>A feature PostGIS wrote as GeoJSON text.</summary>
    public ValueTask WriteAsync(string feature, CancellationToken cancellationToken)
    {
        _json.WriteRawValue(feature, skipInputValidation: true);
        return CountAsync(cancellationToken);
    }

    /// <summary>Closes "features"; <paramref name="closing"/> writes the members after it; then flushes.</summary>
    public async Task EndAsync(Action<Utf8JsonWriter>? closing, CancellationToken cancellationToken)
    {
        _json.WriteEndArray();
        closing?.Invoke(_json);
        _json.WriteEndObject();
        await FlushAsync(cancellationToken);
    }

    private async ValueTask CountAsync(CancellationToken cancellationToken)
    {
        if (++Written % FlushEvery == 0) await FlushAsync(cancellationToken);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _json.FlushAsync(cancellationToken);
        if (_pipe is not null) await _pipe.FlushAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _json.DisposeAsync();
}
