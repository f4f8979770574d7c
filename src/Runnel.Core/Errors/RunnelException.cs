namespace Runnel.Core.Errors;

/// <summary>Base of every error Runnel reports to a user. Messages never contain secret values.</summary>
public class RunnelException : Exception
{
    /// <summary>An error with a message for the user.</summary>
    public RunnelException(string message) : base(message) { }
    /// <summary>An error with a message for the user.</summary>
    public RunnelException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A position in SQL text: 1-based line and column.</summary>
public readonly record struct SourcePosition(int Line, int Column)
{
    /// <summary>An unknown position.</summary>
    public static readonly SourcePosition None = new(0, 0);
    /// <summary>True when the position points into the text.</summary>
    public bool IsKnown => Line > 0;
    /// <summary><c>line L, column C</c>.</summary>
    public override string ToString() => $"line {Line}, column {Column}";
}

/// <summary>Bad SQL: a syntax error or a validation error (unknown name, type mismatch). The message names the line
/// and column where the position is known, as Flink's <c>Encountered "x" at line 1, column 8</c>.</summary>
public sealed class SqlException : RunnelException
{
    /// <summary>An error with its <paramref name="position"/> appended to the message when known.</summary>
    public SqlException(string message, SourcePosition position)
        : base(position.IsKnown ? $"{message} (at {position})" : message)
    {
        Position = position;
        Reason = message;
    }

    /// <summary>Where in the SQL text the error is.</summary>
    public SourcePosition Position { get; }
    /// <summary>The message without the position suffix.</summary>
    public string Reason { get; }
}

/// <summary>A data row that a format could not read: names the file (or topic) and 1-based line (or offset).</summary>
public sealed class DataFormatException : RunnelException
{
    /// <summary>A bad record at <paramref name="source"/>:<paramref name="line"/>, with the reason.</summary>
    public DataFormatException(string source, long line, string reason)
        : base($"{source}:{line}: {reason}")
    {
        SourceName = source;
        Line = line;
        Reason = reason;
    }

    /// <summary>The file (or topic) the record came from.</summary>
    public string SourceName { get; }
    /// <summary>The 1-based line (or offset) of the record.</summary>
    public long Line { get; }
    /// <summary>Why the record could not be read.</summary>
    public string Reason { get; }
}

/// <summary>Invalid connector, format or model options; the message lists the valid keys or values.</summary>
public sealed class OptionException(string message) : RunnelException(message);

/// <summary>An error raised while evaluating an expression on a row, e.g. a failing CAST.</summary>
public sealed class EvaluationException(string message) : RunnelException(message);
