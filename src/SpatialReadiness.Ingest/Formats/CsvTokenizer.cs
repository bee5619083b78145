using System.Text;

namespace SpatialReadiness.Ingest.Formats;

/// <summary>
/// Splits CSV text into records (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes). The delimiter is
/// taken from the header: comma, else semicolon, else tab.
/// </summary>
internal sealed class CsvTokenizer(TextReader reader, string encodingName) : IDisposable
{
    private char _delimiter;
    private readonly StringBuilder _field = new();

    /// <summary>The 1-based line the next record starts on.</summary>
    public long Line { get; private set; } = 1;

    public List<string>? ReadRecord()
    {
        int c;
        try { c = reader.Read(); }
        catch (DecoderFallbackException) { throw NotInEncoding(); }
        if (c < 0) return null;
        var record = new List<string>();
        var quoted = false;
        _field.Clear();
        try
        {
            for (; c >= 0; c = reader.Read())
            {
                var ch = (char)c;
                if (quoted)
                {
                    if (ch == '"')
                    {
                        if (reader.Peek() == '"') { reader.Read(); _field.Append('"'); }
                        else quoted = false;
                    }
                    else
                    {
                        if (ch == '\n') Line++;
                        _field.Append(ch);
                    }
                    continue;
                }
                if (ch == '"' && _field.Length == 0) { quoted = true; continue; }
                if (ch == '\r') continue;
                if (ch == '\n') { Line++; break; }
                if (_delimiter == default && Line == 1 && ch is ',' or ';' or '\t') _delimiter = ch;
                if (ch == _delimiter || (_delimiter == default && ch == ','))
                {
                    record.Add(_field.ToString());
                    _field.Clear();
                    continue;
                }
                _field.Append(ch);
            }
        }
        catch (DecoderFallbackException) { throw NotInEncoding(); }
        if (quoted) throw new InputException(InputError.Malformed, $"line {Line}: a quoted field is never closed (missing '\"').");
        record.Add(_field.ToString());
        if (record.Count > 0 && record[0].Length > 0 && record[0][0] == '\uFEFF') record[0] = record[0][1..];
        return record;
    }

    private InputException NotInEncoding() =>
        new(InputError.Malformed,
            $"line {Line}: the text is not valid {encodingName}. Give the file's encoding with --encoding (HTTP: encoding=), e.g. windows-1252, or re-save it as UTF-8.");

    public void Dispose() => reader.Dispose();
}
