namespace Runnel.Core.Errors;

/// <summary>Base of every error Runnel reports to a user. Messages never contain secret values.</summary>
public class RunnelException : Exception
{
    public RunnelException(string message) : base(message) { }
    public RunnelException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A position in SQL text: 1-based line and column.</summary>
public readonly record struct SourcePosition(int Line, int Column)
{
    public static readonly SourcePosition None = new(0, 0);
    public bool IsKnown => Line > 0;
    public override string ToString() => $"line {Line}, column {Column}";
}

/// <summary>Bad SQL: a syntax error or a validation error (unknown name, type mismatch). The message names the line
/// and column where the position is known, as Flink's <c>Encountered "x" at line 1, column 8</c>.</summary>
public sealed class SqlException : RunnelException
{
    public SqlException(string message, SourcePosition position)
        : base(position.IsKnown ? $"{message} (at {position})" : message)
    {
        Position = position;
        Reason = message;
    }

    public SourcePosition Position { get; }
    /// <summary>The message without the position suffix.</summary>
    public string Reason { get; }
}

/// <summary>A data row that a format could not read: names the file (or topic) and 1-based line (or offset).</summary>
public sealed class DataFormatException : RunnelException
{
    public DataFormatException(string source, long line, string reason)
        : base($"{source}:{line}: {reason}")
    {
        SourceName = source;
        Line = line;
        Reason = reason;
    }

    public string SourceName { get; }
    public long Line { get; }
    public string Reason { get; }
}

/// <summary>Invalid connector, format or model options; the message lists the valid keys or values.</summary>
public sealed class OptionException(string message) : RunnelException(message);

/// <summary>An error raised while evaluating an expression on a row, e.g. a failing CAST.</summary>
public sealed class EvaluationException(string message) : RunnelException(message);
