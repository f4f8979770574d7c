using System.Globalization;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace Runnel.Models.Abstractions;

/// <summary>
/// Reads how long a provider asks a client to wait before retrying, from a throttled or failed answer. Precedence, as
/// the providers document them: <c>retry-after-ms</c> (milliseconds; Azure OpenAI and OpenAI's SDKs), then
/// <c>retry-after</c> (RFC 9110: delay-seconds or an HTTP date), then the later of <c>x-ratelimit-reset-requests</c> and
/// <c>x-ratelimit-reset-tokens</c> (OpenAI's Go-style durations such as <c>6ms</c>, <c>1.574s</c>, <c>6m0s</c>; a bare
/// number is seconds), then the "Please try again in 1.574s" sentence of OpenAI's 429 message.
/// </summary>
public static partial class RetryHints
{
    /// <summary>The wait the answer asks for, or null when it names none. <paramref name="now"/> turns an HTTP-date
    /// <c>retry-after</c> into a delay (a date in the past gives zero).</summary>
    public static TimeSpan? From(HttpResponseMessage response, string? message, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        return From(response.Headers, message, now);
    }

    /// <summary>The wait the answer's <paramref name="headers"/> (or, failing them, its <paramref name="message"/>) ask for, or null.</summary>
    public static TimeSpan? From(HttpResponseHeaders headers, string? message, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (First(headers, "retry-after-ms") is { } ms && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var m) && m >= 0)
            return TimeSpan.FromMilliseconds(m);
        if (First(headers, "retry-after") is { } after)
        {
            if (double.TryParse(after, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s >= 0) return TimeSpan.FromSeconds(s);
            if (DateTimeOffset.TryParseExact(after, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
                return date > now ? date - now : TimeSpan.Zero;
        }
        TimeSpan? reset = null;
        foreach (var name in (string[])["x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"])
            if (First(headers, name) is { } value && ParseDuration(value) is { } d && (reset is null || d > reset)) reset = d;
        if (reset is not null) return reset;
        if (message is not null && TryAgainIn().Match(message) is { Success: true } match) return ParseDuration(match.Groups[1].Value);
        return null;
    }

    /// <summary>A Go-style duration (<c>1h2m3.5s</c>, <c>20ms</c>, <c>0s</c>) or a bare number of seconds; null when it
    /// is neither.</summary>
    public static TimeSpan? ParseDuration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)) return seconds >= 0 ? TimeSpan.FromSeconds(seconds) : null;
        var parts = GoDuration().Matches(text);
        if (parts.Count == 0 || parts.Sum(p => p.Length) != text.Length) return null;
        var total = TimeSpan.Zero;
        foreach (Match p in parts)
        {
            var n = double.Parse(p.Groups[1].Value, CultureInfo.InvariantCulture);
            total += p.Groups[2].Value switch
            {
                "h" => TimeSpan.FromHours(n),
                "m" => TimeSpan.FromMinutes(n),
                "s" => TimeSpan.FromSeconds(n),
                "ms" => TimeSpan.FromMilliseconds(n),
                "us" or "µs" => TimeSpan.FromMicroseconds(n),
                _ => TimeSpan.FromTicks((long)(n / 100)),
            };
        }
        return total;
    }

    private static string? First(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    [GeneratedRegex(@"([0-9]+(?:\.[0-9]+)?)(ms|us|µs|ns|h|m|s)")]
    private static partial Regex GoDuration();

    [GeneratedRegex(@"try again in ([0-9.]+(?:ms|s|m))", RegexOptions.IgnoreCase)]
    private static partial Regex TryAgainIn();
}
