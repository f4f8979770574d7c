namespace Runnel.Core.Options;

/// <summary>A secret option value (an API key, a password). <see cref="ToString"/> returns <c>******</c>, so a secret
/// that reaches a message, a log line or DESCRIBE output by mistake stays hidden; <see cref="Reveal"/> is the one way
/// to read it, used only where the value is sent to its owner.</summary>
public sealed class SecretValue(string value)
{
    /// <summary>What secrets print as.</summary>
    public const string Mask = "******";
    private readonly string _value = value ?? throw new ArgumentNullException(nameof(value));

    /// <summary>The secret itself; call only where it is sent to its owner.</summary>
    public string Reveal() => _value;
    /// <summary>Always <see cref="Mask"/>.</summary>
    public override string ToString() => Mask;
}
