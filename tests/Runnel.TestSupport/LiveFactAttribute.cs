using Xunit;

namespace Runnel.TestSupport;

/// <summary>A test that needs a real external service (a provider, a Kafka broker): reported as skipped, with the reason, unless every one of
/// <paramref name="variables"/> is set in the environment.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LiveFactAttribute : FactAttribute
{
    /// <summary>Skips the test unless all <paramref name="variables"/> are set.</summary>
    public LiveFactAttribute(params string[] variables)
    {
        Variables = variables;
        var missing = variables.Where(v => string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v))).ToList();
        if (missing.Count > 0) Skip = $"live test: {string.Join(", ", missing)} not set";
    }

    /// <summary>The environment variables holding the credentials.</summary>
    public IReadOnlyList<string> Variables { get; }
}

