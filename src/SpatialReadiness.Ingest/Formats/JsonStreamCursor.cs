using System.Text.Json;

namespace SpatialReadiness.Ingest.Formats;

/// <summary>
/// Walks a JSON stream token by token through a bounded buffer, handing out whole values (one feature at a time) as
/// <see cref="JsonDocument"/>s. The buffer grows only to the size of the largest single value, so memory stays flat
/// however many features the file holds. Errors name the line where the JSON breaks.
/// </summary>
internal sealed class JsonStreamCursor(Stream stream, long maxValueBytes)
{
    private byte[] _buffer = new byte[1 << 20];
    private int _start;
    private int _length;
    private bool _final;
    private long _lineOfBufferStart = 1;
    private JsonReaderState _state = new(new JsonReaderOptions { AllowMultipleValues = true, CommentHandling = JsonCommentHandling.Skip });

    public long Line => _lineOfBufferStart + CountNewlines(_buffer.AsSpan(0, _start));

    /// <summary>Reads the next token; false at the end of the stream.</summary>
    public bool Read(out JsonTokenType token, out string? text)
    {
        while (true)
        {
            var reader = NewReader();
            bool ok;
            try { ok = reader.Read(); }
            catch (JsonException e) { throw Broken(e); }
            if (ok)
            {
                token = reader.TokenType;
                text = token is JsonTokenType.PropertyName or JsonTokenType.String ? reader.GetString() : null;
                Advance(ref reader);
                return true;
            }
            if (_final) { token = JsonTokenType.None; text = null; return false; }
            Refill();
        }
    }

    /// <summary>Reads the next whole value (object, array or scalar); null when the next token ends an array.</summary>
    public JsonDocument? ReadValue()
    {
        while (true)
        {
            var reader = NewReader();
            try
            {
                if (reader.Read())
                {
                    if (reader.TokenType is JsonTokenType.EndArray) { Advance(ref reader); return null; }
                    var probe = reader;
                    if (probe.TrySkip())
                    {
                        var document = JsonDocument.ParseValue(ref reader);
                        Advance(ref reader);
                        return document;
                    }
                }
            }
            catch (JsonException e) { throw Broken(e); }
            if (_final) throw new InputException(InputError.Malformed, $"malformed JSON: the file ends inside a value that starts near line {Line}.");
            Refill();
        }
    }

    /// <summary>Reads the next Feature (in an array or at the top level); null at the end of the array or the file.</summary>
    public GeoJsonFeatureParser.Parsed? ReadFeature(long ordinal)
    {
        while (true)
        {
            var data = _buffer.AsSpan(_start, _length - _start);
            var reader = new Utf8JsonReader(data, _final, _state);
            try
            {
                if (reader.Read())
                {
                    if (reader.TokenType is JsonTokenType.EndArray) { Advance(ref reader); return null; }
                    if (GeoJsonFeatureParser.TryParse(ref reader, data, ordinal, out var feature))
                    {
                        Advance(ref reader);
                        return feature;
                    }
                }
                else if (_final) return null;
            }
            catch (JsonException e) { throw Broken(e); }
            if (_final) throw new InputException(InputError.Malformed, $"malformed JSON: the file ends inside feature {ordinal}.");
            Refill();
        }
    }

    /// <summary>Skips the next value, however large, without holding it (e.g. an unused top-level member).</summary>
    public void SkipValue()
    {
        using var _ = ReadValue();
    }

    private Utf8JsonReader NewReader() => new(_buffer.AsSpan(_start, _length - _start), _final, _state);

    private void Advance(ref Utf8JsonReader reader)
    {
        _start += (int)reader.BytesConsumed;
        _state = reader.CurrentState;
    }

    private void Refill()
    {
        var pending = _length - _start;
        _lineOfBufferStart += CountNewlines(_buffer.AsSpan(0, _start));
        if (pending > _buffer.Length / 2)
        {
            if ((long)_buffer.Length * 2 > maxValueBytes)
                throw new InputException(InputError.TooLarge,
                    $"a single JSON value starting near line {_lineOfBufferStart} is larger than {maxValueBytes / (1 << 20)} MiB; split the feature or raise the limit.");
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        Buffer.BlockCopy(_buffer, _start, _buffer, 0, pending);
        _start = 0;
        _length = pending;
        while (_length < _buffer.Length)
        {
            var read = stream.Read(_buffer, _length, _buffer.Length - _length);
            if (read == 0) { _final = true; break; }
            _length += read;
        }
    }

    // The reader state carries its line count across buffer refills, so the exception's line is the file's line.
    private static InputException Broken(JsonException e) =>
        new(InputError.Malformed, $"malformed JSON at line {(e.LineNumber ?? 0) + 1}: {Describe(e)}");

    private static string Describe(JsonException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut].TrimEnd('.', ' ') : message;
    }

    private static long CountNewlines(ReadOnlySpan<byte> bytes) => bytes.Count((byte)'\n');
}
