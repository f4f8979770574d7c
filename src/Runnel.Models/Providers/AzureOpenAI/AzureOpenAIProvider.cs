using System.Net.Http.Headers;
using Runnel.Core.Options;
using Runnel.Models.Abstractions;
using Runnel.Models.Providers.OpenAI;

namespace Runnel.Models.Providers.AzureOpenAI;

/// <summary>
/// The <c>azureopenai</c> provider: the OpenAI wire formats (<c>OPENAI-CHAT</c>, <c>OPENAI-EMBED</c>/<c>AZURE-EMBED</c>)
/// sent to an Azure OpenAI deployment URL (<c>https://{resource}.openai.azure.com/openai/deployments/{deployment}/chat/completions?api-version=..</c>,
/// the connection's endpoint) with the key in the <c>api-key</c> header. The deployment names the model, so the body
/// carries none. Azure's content filter answers (HTTP 400 <c>content_filter</c> for a filtered prompt, HTTP 200 with
/// <c>finish_reason: content_filter</c> for a filtered completion) become non-retryable errors naming the filter.
/// </summary>
public sealed class AzureOpenAIProvider : OpenAIProvider
{
    /// <inheritdoc />
    protected override string Prefix => "azureopenai";

    /// <inheritdoc />
    protected override string DisplayName => "Azure OpenAI";

    /// <inheritdoc />
    protected override bool SendsModelInBody => false;

    /// <inheritdoc />
    protected override void Authorize(HttpRequestHeaders headers, SecretValue key, ModelVersionInfo version) => headers.Add("api-key", key.Reveal());
}
