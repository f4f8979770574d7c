using Runnel.Core.Errors;

namespace Runnel.Sql.Parsing;

/// <summary>Token classes produced by <see cref="Lexer"/>.</summary>
public enum TokenKind
{
    /// <summary>An unquoted word: an identifier or a keyword (keywords are recognised by the parser, case-insensitively).</summary>
    Word,
    /// <summary>A backquoted identifier; <see cref="Token.Text"/> holds the name without quotes.</summary>
    QuotedIdentifier,
    /// <summary>A single-quoted string; <see cref="Token.Text"/> holds the value with <c>''</c> unescaped.</summary>
    String,
    /// <summary>A hexadecimal byte string <c>X'0AFF'</c>; <see cref="Token.Text"/> holds the hex digits.</summary>
    HexString,
    /// <summary>An integer number.</summary>
    Integer,
    /// <summary>A number with a point.</summary>
    Decimal,
    /// <summary>A number with an exponent (<c>1e3</c>): a DOUBLE literal.</summary>
    Double,
    /// <summary>Punctuation or an operator.</summary>
    Symbol,
    /// <summary>The end of the text.</summary>
    End,
}

/// <summary>One token with its 1-based position and its offset in the source text.</summary>
public readonly record struct Token(TokenKind Kind, string Text, SourcePosition Position, int Offset, int Length)
{
    /// <summary>True for the word <paramref name="keyword"/> (case-insensitive).</summary>
    public bool IsWord(string keyword) => Kind == TokenKind.Word && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);
    /// <summary>True for the symbol token <paramref name="symbol"/>.</summary>
    public bool IsSymbol(string symbol) => Kind == TokenKind.Symbol && Text == symbol;

    /// <summary>How the token reads in an error message: <c>"FROM"</c>, or <c>&lt;EOF&gt;</c> at the end.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.End => "<EOF>",
        TokenKind.String => $"\"'{Text}'\"",
        TokenKind.QuotedIdentifier => $"\"`{Text}`\"",
        _ => $"\"{Text}\"",
    };
}
