using System.Text;
using Runnel.Core.Errors;

namespace Runnel.Sql.Parsing;

/// <summary>Splits Flink SQL text into tokens: words, backquoted identifiers (<c>``</c> escapes a backquote),
/// single-quoted strings (<c>''</c> escapes a quote), numbers, symbols; skips white space, <c>-- line</c> and
/// <c>/* block */</c> comments. Errors carry line and column.</summary>
public static class Lexer
{
    private static readonly string[] Symbols =
        ["<>", "<=", ">=", "!=", "||", "==", "(", ")", ",", ";", ".", "[", "]", "+", "-", "*", "/", "%", "=", "<", ">", "?", ":", "{", "}", "$"];

    /// <summary>The tokens of <paramref name="sql"/>, ending with an End token.</summary>
    public static List<Token> Tokenize(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var tokens = new List<Token>();
        int i = 0, line = 1, col = 1;

        void Advance(int n)
        {
            for (var k = 0; k < n; k++)
            {
                if (sql[i] == '\n') { line++; col = 1; }
                else col++;
                i++;
            }
        }

        while (i < sql.Length)
        {
            var c = sql[i];
            if (char.IsWhiteSpace(c)) { Advance(1); continue; }
            if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                while (i < sql.Length && sql[i] != '\n') Advance(1);
                continue;
            }
            if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                var startPos = new SourcePosition(line, col);
                Advance(2);
                while (i < sql.Length && !(sql[i] == '*' && i + 1 < sql.Length && sql[i + 1] == '/')) Advance(1);
                if (i >= sql.Length) throw new SqlException("Unterminated comment: '/*' has no closing '*/'", startPos);
                Advance(2);
                continue;
            }
            var pos = new SourcePosition(line, col);
            var start = i;
            if (c == '\'' || ((c == 'x' || c == 'X') && i + 1 < sql.Length && sql[i + 1] == '\''))
            {
                var hex = c != '\'';
                if (hex) Advance(1);
                Advance(1);
                var sb = new StringBuilder();
                while (true)
                {
                    if (i >= sql.Length) throw new SqlException("Unterminated string literal", pos);
                    if (sql[i] == '\'')
                    {
                        if (i + 1 < sql.Length && sql[i + 1] == '\'') { sb.Append('\''); Advance(2); continue; }
                        Advance(1);
                        break;
                    }
                    sb.Append(sql[i]);
                    Advance(1);
                }
                tokens.Add(new Token(hex ? TokenKind.HexString : TokenKind.String, sb.ToString(), pos, start, i - start));
                continue;
            }
            if (c == '`')
            {
                Advance(1);
                var sb = new StringBuilder();
                while (true)
                {
                    if (i >= sql.Length) throw new SqlException("Unterminated quoted identifier", pos);
                    if (sql[i] == '`')
                    {
                        if (i + 1 < sql.Length && sql[i + 1] == '`') { sb.Append('`'); Advance(2); continue; }
                        Advance(1);
                        break;
                    }
                    sb.Append(sql[i]);
                    Advance(1);
                }
                if (sb.Length == 0) throw new SqlException("Empty quoted identifier", pos);
                tokens.Add(new Token(TokenKind.QuotedIdentifier, sb.ToString(), pos, start, i - start));
                continue;
            }
            if (char.IsDigit(c) || (c == '.' && i + 1 < sql.Length && char.IsDigit(sql[i + 1])))
            {
                var kind = TokenKind.Integer;
                while (i < sql.Length && char.IsDigit(sql[i])) Advance(1);
                if (i < sql.Length && sql[i] == '.' && !(i + 1 < sql.Length && sql[i + 1] == '.'))
                {
                    kind = TokenKind.Decimal;
                    Advance(1);
                    while (i < sql.Length && char.IsDigit(sql[i])) Advance(1);
                }
                if (i < sql.Length && (sql[i] == 'e' || sql[i] == 'E') &&
                    i + 1 < sql.Length && (char.IsDigit(sql[i + 1]) || ((sql[i + 1] == '+' || sql[i + 1] == '-') && i + 2 < sql.Length && char.IsDigit(sql[i + 2]))))
                {
                    kind = TokenKind.Double;
                    Advance(2);
                    while (i < sql.Length && char.IsDigit(sql[i])) Advance(1);
                }
                if (i < sql.Length && (char.IsLetter(sql[i]) || sql[i] == '_'))
                {
                    // Flink's lexer also rejects a number glued to a word (e.g. 1abc); a word may start with a digit
                    // only when quoted.
                    while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] == '_')) Advance(1);
                    tokens.Add(new Token(TokenKind.Word, sql[start..i], pos, start, i - start));
                    continue;
                }
                tokens.Add(new Token(kind, sql[start..i], pos, start, i - start));
                continue;
            }
            if (char.IsLetter(c) || c == '_')
            {
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] == '_')) Advance(1);
                tokens.Add(new Token(TokenKind.Word, sql[start..i], pos, start, i - start));
                continue;
            }
            var matched = false;
            foreach (var s in Symbols)
            {
                if (string.CompareOrdinal(sql, i, s, 0, s.Length) == 0)
                {
                    Advance(s.Length);
                    tokens.Add(new Token(TokenKind.Symbol, s, pos, start, s.Length));
                    matched = true;
                    break;
                }
            }
            if (!matched) throw new SqlException($"Lexical error: unexpected character '{c}'", pos);
        }
        tokens.Add(new Token(TokenKind.End, "", new SourcePosition(line, col), sql.Length, 0));
        return tokens;
    }
}
