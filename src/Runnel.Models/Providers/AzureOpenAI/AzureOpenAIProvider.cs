using System.Net.Http.Headers;
using Azure.Core;
using Azure.Identity;
using Runnel.Core.Options;
using Runnel.Models.Abstractions;
using Runnel.Models.Providers.OpenAI;

namespace Runnel.Models.Providers.AzureOpenAI;

/// <summary>
/// The <c>azureopenai</c> provider: the OpenAI wire formats (<c>OPENAI-CHAT</c>, <c>OPENAI-EMBED</c>/<c>AZURE-EMBED</c>)
/// sent to an Azure OpenAI deployment URL (<c>https://{resource}.openai.azure.com/openai/deployments/{deployment}/chat/completions?api-version=..</c>,
/// the connection's endpoint) with the key in the <c>api-key</c> header. A connection without an api-key authenticates
/// with Microsoft Entra ID instead: a bearer token for <c>https://cognitiveservices.azure.com/.default</c> from
/// Azure.Identity's <see cref="DefaultAzureCredential"/> (environment, workload identity, managed identity, Azure CLI,
/// ...), kept until five minutes before it expires. The deployment names the model, so the body carries none. Azure's
/// content filter answers (HTTP 400 <c>content_filter</c> for a filtered prompt, HTTP 200 with
/// <c>finish_reason: content_filter</c> for a filtered completion) become non-retryable errors naming the filter.
/// </summary>
/// <param name="credential">The Entra ID credential for keyless connections; null uses <see cref="DefaultAzureCredential"/>.</param>
public sealed class AzureOpenAIProvider(TokenCredential? credential = null) : OpenAIProvider
{
    /// <summary>The token scope of Azure OpenAI (Azure AI services).</summary>
    public const string Scope = "https://cognitiveservices.azure.com/.default";

    private readonly Lazy<TokenCredential> _credential = new(() => credential ?? new DefaultAzureCredential());

    /// <inheritdoc />
    protected override string Prefix => "azureopenai";

    /// <inheritdoc />
    protected override string DisplayName => "Azure OpenAI";

    /// <inheritdoc />
    protected override bool SendsModelInBody => false;

    /// <inheritdoc />
    protected override void Authorize(HttpRequestHeaders headers, SecretValue key, ModelVersionInfo version) => headers.Add("api-key", key.Reveal());

    /// <inheritdoc />
    protected override Func<HttpRequestMessage, CancellationToken, Task> KeylessAuthorizer(ConnectionInfo? connection) =>
        new EntraTokens(_credential.Value, connection?.Name ?? "?").AuthorizeAsync;

    /// <summary>One Entra ID token at a time, fetched again five minutes before it expires (or at the credential's
    /// refresh time).</summary>
    private sealed class EntraTokens(TokenCredential credential, string connection)
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private AccessToken? _token;

        public async Task AuthorizeAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", (await TokenAsync(cancellationToken).ConfigureAwait(false)).Token);
        }

        private bool Fresh(AccessToken token)
        {
            var now = DateTimeOffset.UtcNow;
            return now < (token.RefreshOn ?? token.ExpiresOn - TimeSpan.FromMinutes(5));
        }

        private async Task<AccessToken> TokenAsync(CancellationToken cancellationToken)
        {
            if (_token is { } held && Fresh(held)) return held;
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_token is { } again && Fresh(again)) return again;
                _token = await credential.GetTokenAsync(new TokenRequestContext([Scope]), cancellationToken).ConfigureAwait(false);
                return _token.Value;
            }
            catch (AuthenticationFailedException e)
            {
                throw new ModelInvocationException(
                    $"Azure OpenAI: connection '{connection}' has no api-key and Microsoft Entra ID gave no token ({e.GetType().Name}): {e.Message}", 401);
            }
            finally
            {
                _gate.Release();
            }
        }
    }
}
