using System.Globalization;
using Runnel.Core.Errors;
using Runnel.Core.Types;

namespace Runnel.Sql.Parsing;

public sealed partial class Parser
{
    /// <summary>Parses a Flink data type with an optional <c>NOT NULL</c> / <c>NULL</c> suffix.</summary>
    private SqlType ParseType()
    {
        var pos = Peek.Position;
        var word = ExpectAnyWord().ToUpperInvariant();
        SqlType type;
        switch (word)
        {
            case "STRING": type = SqlType.String; break;
            case "VARCHAR":
            case "CHARACTER" when IsWord("VARYING"):
                if (word == "CHARACTER") _pos++;
                type = ParseLength() is { } n ? (n == SqlType.MaxLength ? SqlType.String : SqlType.VarChar(n)) : SqlType.VarChar(1);
                break;
            case "CHAR":
            case "CHARACTER":
                type = SqlType.Char(ParseLength() ?? 1);
                break;
            case "BOOLEAN": case "BOOL": type = SqlType.Boolean; break;
            case "TINYINT": type = SqlType.TinyInt; break;
            case "SMALLINT": type = SqlType.SmallInt; break;
            case "INT": case "INTEGER": type = SqlType.Int; break;
            case "BIGINT": type = SqlType.BigInt; break;
            case "FLOAT": case "REAL": type = SqlType.Float; break;
            case "DOUBLE":
                TryConsumeWord("PRECISION");
                type = SqlType.Double;
                break;
            case "DECIMAL": case "DEC": case "NUMERIC":
            {
                int p = 10, s = 0;
                if (TryConsumeSymbol("("))
                {
                    p = ParseIntToken();
                    if (TryConsumeSymbol(",")) s = ParseIntToken();
                    ExpectSymbol(")");
                }
                if (p < 1 || p > 38 || s < 0 || s > p)
                    throw new SqlException($"DECIMAL precision must be between 1 and 38 and scale between 0 and the precision, got DECIMAL({p}, {s})", pos);
                type = SqlType.Decimal(p, s);
                break;
            }
            case "DATE": type = SqlType.Date; break;
            case "TIME":
                type = SqlType.TimeOf(ParseLength() ?? 0);
                TryConsumeWords("WITHOUT", "TIME", "ZONE");
                break;
            case "TIMESTAMP":
            {
                var p = ParseLength() ?? 6;
                CheckTimestampPrecision(p, pos);
                if (TryConsumeWords("WITH", "LOCAL", "TIME", "ZONE")) type = SqlType.TimestampLtz(p);
                else
                {
                    TryConsumeWords("WITHOUT", "TIME", "ZONE");
                    type = SqlType.Timestamp(p);
                }
                break;
            }
            case "TIMESTAMP_LTZ":
            {
                var p = ParseLength() ?? 6;
                CheckTimestampPrecision(p, pos);
                type = SqlType.TimestampLtz(p);
                break;
            }
            case "BYTES": type = SqlType.Bytes; break;
            case "BINARY": type = SqlType.Binary(ParseLength() ?? 1); break;
            case "VARBINARY": type = ParseLength() is { } vb && vb != SqlType.MaxLength ? SqlType.Binary(vb) : SqlType.Bytes; break;
            case "ARRAY":
            {
                ExpectSymbol("<");
                var el = ParseType();
                ExpectSymbol(">");
                type = SqlType.Array(el);
                break;
            }
            case "MAP":
            {
                ExpectSymbol("<");
                var k = ParseType();
                ExpectSymbol(",");
                var v = ParseType();
                ExpectSymbol(">");
                type = SqlType.Map(k, v);
                break;
            }
            case "ROW":
            {
                var close = Peek.IsSymbol("(") ? ")" : ">";
                if (!TryConsumeSymbol("(")) ExpectSymbol("<");
                var fields = new List<RowField>();
                if (!Peek.IsSymbol(close))
                {
                    do
                    {
                        var name = ExpectIdentifier("a field name");
                        var ft = ParseType();
                        string? comment = null;
                        if (Peek.Kind == TokenKind.String) comment = Next().Text;
                        fields.Add(new RowField(name, ft, comment));
                    } while (TryConsumeSymbol(","));
                }
                ExpectSymbol(close);
                type = SqlType.Row(fields);
                break;
            }
            case "INTERVAL":
            {
                var unit = ExpectAnyWord().ToUpperInvariant();
                if (Peek.IsSymbol("(")) ParseLength();
                if (TryConsumeWord("TO")) { ExpectAnyWord(); if (Peek.IsSymbol("(")) ParseLength(); }
                type = unit is "YEAR" or "MONTH" ? SqlType.IntervalYearMonth : SqlType.IntervalDayTime;
                break;
            }
            default:
                _pos--;
                throw Unexpected("a data type (STRING, INT, BIGINT, DOUBLE, DECIMAL(p, s), BOOLEAN, DATE, TIMESTAMP(p), ARRAY<T>, MAP<K, V>, ROW<..>, ...)");
        }
        // Legacy postfix array syntax: INT ARRAY
        while (TryConsumeWord("ARRAY")) type = SqlType.Array(type);
        if (TryConsumeWords("NOT", "NULL")) type = type.WithNullable(false);
        else TryConsumeWord("NULL");
        return type;
    }

    private static void CheckTimestampPrecision(int p, SourcePosition pos)
    {
        if (p is < 0 or > 9) throw new SqlException($"TIMESTAMP precision must be between 0 and 9, got {p}", pos);
    }

    private int? ParseLength()
    {
        if (!TryConsumeSymbol("(")) return null;
        var n = ParseIntToken();
        ExpectSymbol(")");
        return n;
    }

    private int ParseIntToken()
    {
        if (Peek.Kind != TokenKind.Integer) throw Unexpected("an integer");
        var t = Next();
        if (!int.TryParse(t.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            throw new SqlException($"Integer {t.Text} is out of range", t.Position);
        return n;
    }
}
