using System.Text;
using Runnel.Core.Data;
using Runnel.Core.Types;
using Runnel.Engine;

namespace Runnel.Cli;

/// <summary>Prints statement results the way Flink's SQL client does in tableau mode: <c>[INFO]</c> lines for
/// statements, boxed tables with right-aligned values (an <c>op</c> column with the row kind for changelog results),
/// <c>&lt;NULL&gt;</c> for NULL, and <c>Received a total of N rows</c>.</summary>
internal sealed class ResultPrinter(TextWriter output)
{
    /// <summary>Cells wider than this are cut and end in <c>...</c>, as in Flink's tableau mode.</summary>
    public const int MaxColumnWidth = 60;

    public static string Cell(object? value, SqlType type) => value is null ? "<NULL>" : ValueFormatter.Format(value, type);

    public void PrintTable(Schema schema, IReadOnlyList<object?[]> rows, IReadOnlyList<RowKind>? kinds = null)
    {
        var headers = schema.Names.ToList();
        if (kinds is not null) headers.Insert(0, "op");
        var cells = rows.Select((r, i) =>
        {
            var list = r.Select((v, c) => Truncate(Cell(v, schema[c].Type))).ToList();
            if (kinds is not null) list.Insert(0, kinds[i].ShortString());
            return list;
        }).ToList();
        var widths = headers.Select((h, c) => Math.Max(h.Length, cells.Count == 0 ? 0 : cells.Max(r => r[c].Length))).ToArray();
        var border = "+" + string.Join("+", widths.Select(w => new string('-', w + 2))) + "+";
        var sb = new StringBuilder();
        sb.Append(border).Append('\n');
        sb.Append(Line(headers, widths)).Append('\n');
        sb.Append(border).Append('\n');
        foreach (var r in cells) sb.Append(Line(r, widths)).Append('\n');
        sb.Append(border).Append('\n');
        output.Write(sb.ToString());
        output.WriteLine(rows.Count == 1 ? "1 row in set" : $"{rows.Count} rows in set");
    }

    private static string Line(IReadOnlyList<string> cells, int[] widths) =>
        "| " + string.Join(" | ", cells.Select((c, i) => c.PadLeft(widths[i]))) + " |";

    private static string Truncate(string s)
    {
        s = s.Replace("\r", "", StringComparison.Ordinal).Replace('\n', ' ');
        return s.Length > MaxColumnWidth ? s[..(MaxColumnWidth - 3)] + "..." : s;
    }

    /// <summary>Streaming (changelog) tableau: a fixed-width header, then rows as they arrive.</summary>
    public sealed class Streaming(TextWriter output, Schema schema, bool showKind)
    {
        private readonly int[] _widths = schema.Columns.Select(c => Math.Max(c.Name.Length, Width(c.Type))).Prepend(2).ToArray();
        private string Border => "+" + string.Join("+", (showKind ? _widths : _widths[1..]).Select(w => new string('-', w + 2))) + "+";
        public long Count { get; private set; }

        private static int Width(SqlType t) => t.Kind switch
        {
            TypeKind.Boolean => 7,
            TypeKind.TinyInt or TypeKind.SmallInt or TypeKind.Int => 11,
            TypeKind.BigInt => 20,
            TypeKind.Float or TypeKind.Double or TypeKind.Decimal => 12,
            TypeKind.Date => 10,
            TypeKind.Timestamp or TypeKind.TimestampLtz => 23,
            _ => 30,
        };

        public void Header()
        {
            output.WriteLine(Border);
            var names = schema.Names.ToList();
            if (showKind) names.Insert(0, "op");
            output.WriteLine(Format(names));
            output.WriteLine(Border);
        }

        private string Format(IReadOnlyList<string> cells)
        {
            var widths = showKind ? _widths : _widths[1..];
            return "| " + string.Join(" | ", cells.Select((c, i) => (c.Length > widths[i] ? c[..(widths[i] - 3)] + "..." : c).PadLeft(widths[i]))) + " |";
        }

        public void Row(Row row)
        {
            var cells = row.Values.Select((v, i) => Cell(v, schema[i].Type).Replace('\n', ' ')).ToList();
            if (showKind) cells.Insert(0, row.Kind.ShortString());
            output.WriteLine(Format(cells));
            Count++;
        }

        public void Footer()
        {
            output.WriteLine(Border);
            output.WriteLine(Count == 1 ? "Received a total of 1 row" : $"Received a total of {Count} rows");
        }
    }
}
