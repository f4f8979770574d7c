using Runnel.Core.Errors;
using Runnel.Core.Types;
using Runnel.Sql.Ast;

namespace Runnel.Sql.Binding;

/// <summary>The columns visible to an expression: each with the alias of the table it came from, its name, its
/// index in the operator's input row and its type.</summary>
public sealed class Scope
{
    /// <summary>A column visible to expressions.</summary>
    /// <summary>A column visible to expressions.</summary>
    /// <param name="Index">The index or key.</param>
    /// <param name="IsRowtime">True for the event-time attribute.</param>
    /// <param name="Name">The name.</param>
    /// <param name="TableAlias">The alias of the table the column comes from, or null.</param>
    /// <param name="Type">The data type.</param>
    public sealed record Entry(string? TableAlias, string Name, int Index, SqlType Type, bool IsRowtime = false);

    /// <summary>A scope of <paramref name="entries"/>.</summary>
    public Scope(IReadOnlyList<Entry> entries) => Entries = entries;

    /// <summary>The visible columns.</summary>
    public IReadOnlyList<Entry> Entries { get; }

    /// <summary>A scope over the columns of <paramref name="schema"/> under <paramref name="alias"/>.</summary>
    public static Scope FromSchema(Schema schema, string? alias) =>
        new(schema.Columns.Select((c, i) => new Entry(alias, c.Name, i, c.Type, c.IsRowtime)).ToList());

    /// <summary>Columns of this scope followed by those of <paramref name="right"/> (indices shifted).</summary>
    public Scope Concat(Scope right)
    {
        var offset = Entries.Count;
        return new Scope(Entries.Concat(right.Entries.Select(e => e with { Index = e.Index + offset })).ToList());
    }

    /// <summary>Number of columns.</summary>
    public int Count => Entries.Count;

    /// <summary>Resolves a column path: <c>c</c>, <c>t.c</c>, and either followed by ROW field names. Returns the
    /// entry and the remaining field names. Throws for unknown or ambiguous names, with the closest name.</summary>
    public (Entry Entry, IReadOnlyList<string> Fields) Resolve(IReadOnlyList<string> parts, SourcePosition position)
    {
        // Longest qualified match first: alias.column
        if (parts.Count >= 2)
        {
            var qualified = Entries.Where(e => e.TableAlias is not null && Eq(e.TableAlias, parts[0]) && e.Name == parts[1]).ToList();
            if (qualified.Count == 0) qualified = Entries.Where(e => e.TableAlias is not null && Eq(e.TableAlias, parts[0]) && Eq(e.Name, parts[1])).ToList();
            if (qualified.Count == 1) return (qualified[0], parts.Skip(2).ToList());
            if (qualified.Count > 1) throw new SqlException($"Column '{parts[0]}.{parts[1]}' is ambiguous", position);
        }
        var matches = Entries.Where(e => e.Name == parts[0]).ToList();
        if (matches.Count == 0) matches = Entries.Where(e => Eq(e.Name, parts[0])).ToList();
        if (matches.Count == 1) return (matches[0], parts.Skip(1).ToList());
        if (matches.Count > 1)
            throw new SqlException($"Column '{parts[0]}' is ambiguous; qualify it with one of: {string.Join(", ", matches.Select(m => m.TableAlias ?? "?"))}", position);
        if (parts.Count >= 2 && Entries.Any(e => e.TableAlias is not null && Eq(e.TableAlias, parts[0])))
            throw new SqlException($"Column '{parts[1]}' not found in table '{parts[0]}'." +
                NameSuggester.Hint(parts[1], Entries.Where(e => Eq(e.TableAlias ?? "", parts[0])).Select(e => e.Name)), position);
        throw new SqlException($"Column '{string.Join(".", parts)}' not found in any table." + NameSuggester.Hint(parts[^1], Entries.Select(e => e.Name)), position);
    }

    private static bool Eq(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
