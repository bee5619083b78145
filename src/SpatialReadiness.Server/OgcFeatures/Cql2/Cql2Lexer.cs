using System.Text;

namespace SpatialReadiness.Server.OgcFeatures.Cql2;

public enum Cql2TokenKind { Word, QuotedName, Text, Number, Symbol, End }

/// <summary>One token; <see cref="Start"/> and <see cref="End"/> are 0-based offsets into the filter text.</summary>
public readonly record struct Cql2Token(Cql2TokenKind Kind, string Text, int Start, int End)
{
    public bool Is(string word) => Kind == Cql2TokenKind.Word && Text.Equals(word, StringComparison.OrdinalIgnoreCase);

    public bool IsSymbol(string symbol) => Kind == Cql2TokenKind.Symbol && Text == symbol;

    public string Describe() => Kind == Cql2TokenKind.End ? "the end of the filter" : $"'{Text}'";
}

/// <summary>
/// Splits CQL2 text into tokens on demand, so the parser can also take a WKT literal as raw text (NetTopologySuite's
/// WKTReader parses it). Words are keywords, function names or property names; "double quotes" quote a property name.
/// </summary>
public sealed class Cql2Lexer(string text)
{
    public string Text { get; } = text;

    public int Offset { get; set; }

    public Cql2Token Peek()
    {
        var saved = Offset;
        var token = Next();
        Offset = saved;
        return token;
    }

    public Cql2Token Next()
    {
        while (Offset < Text.Length && char.IsWhiteSpace(Text[Offset])) Offset++;
        var start = Offset;
        if (Offset >= Text.Length) return new(Cql2TokenKind.End, "", start, start);
        var c = Text[Offset];
        if (char.IsLetter(c) || c == '_')
        {
            while (Offset < Text.Length && (char.IsLetterOrDigit(Text[Offset]) || Text[Offset] is '_' or '.' or ':')) Offset++;
            return new(Cql2TokenKind.Word, Text[start..Offset], start, Offset);
        }
        if (char.IsDigit(c) || (c == '.' && Offset + 1 < Text.Length && char.IsDigit(Text[Offset + 1])))
        {
            while (Offset < Text.Length && (char.IsDigit(Text[Offset]) || Text[Offset] == '.')) Offset++;
            if (Offset < Text.Length && Text[Offset] is 'e' or 'E')
            {
                Offset++;
                if (Offset < Text.Length && Text[Offset] is '+' or '-') Offset++;
                while (Offset < Text.Length && char.IsDigit(Text[Offset])) Offset++;
            }
            return new(Cql2TokenKind.Number, Text[start..Offset], start, Offset);
        }
        if (c is '\'' or '"') return Quoted(c, start);
        foreach (var symbol in (string[])["<=", ">=", "<>", "=", "<", ">", "(", ")", ",", "-", "+"])
            if (string.CompareOrdinal(Text, Offset, symbol, 0, symbol.Length) == 0)
            {
                Offset += symbol.Length;
                return new(Cql2TokenKind.Symbol, symbol, start, Offset);
            }
        throw new Cql2Exception($"unexpected character '{c}' at position {start + 1}", start + 1);
    }

    /// <summary>'text' or "name"; the quote character doubled stands for itself.</summary>
    private Cql2Token Quoted(char quote, int start)
    {
        var value = new StringBuilder();
        Offset++;
        while (true)
        {
            if (Offset >= Text.Length)
                throw new Cql2Exception($"the {(quote == '\'' ? "text" : "quoted name")} starting at position {start + 1} is never closed (missing {quote})", start + 1);
            var c = Text[Offset++];
            if (c != quote) { value.Append(c); continue; }
            if (Offset < Text.Length && Text[Offset] == quote) { value.Append(quote); Offset++; continue; }
            return new(quote == '\'' ? Cql2TokenKind.Text : Cql2TokenKind.QuotedName, value.ToString(), start, Offset);
        }
    }
}
