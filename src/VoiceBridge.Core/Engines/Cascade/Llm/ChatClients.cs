using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;
using AnthropicSdk = Anthropic;

namespace VoiceBridge.Engines.Cascade.Llm;

/// <summary>
/// Builds the cascade's remote chat LLMs as <see cref="IChatClient"/>s over the official SDKs, with
/// configurable base URLs (tests point them at the loopback <c>ChatSimulator</c>). The SDKs' own
/// retries are off: a failure is the failover controller's to handle, and surfaces at once as a
/// <see cref="ChatProviderException"/> (see <see cref="GuardedChatClient"/>).
/// </summary>
public static class ChatClients
{
    /// <summary>OpenAI's base URL; the SDK appends <c>chat/completions</c>.</summary>
    public static readonly Uri OpenAiEndpoint = new("https://api.openai.com/v1");

    /// <summary>Anthropic's base URL; the SDK appends <c>/v1/messages</c>.</summary>
    public static readonly Uri AnthropicEndpoint = new("https://api.anthropic.com");

    /// <summary>OpenAI chat completions (streaming) at <paramref name="endpoint"/> (e.g. <see cref="OpenAiEndpoint"/>).</summary>
    public static GuardedChatClient OpenAi(Uri endpoint, string apiKey, string model, HttpClient http, ChatProviderOptions? options = null)
    {
        options ??= new ChatProviderOptions();
        var sdkOptions = new OpenAIClientOptions
        {
            Endpoint = endpoint,
            Transport = new HttpClientPipelineTransport(http),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        };
        sdkOptions.AddPolicy(new OpenAiErrorPolicy(options.Time), PipelinePosition.PerTry);
        var client = new OpenAI.Chat.ChatClient(model, new ApiKeyCredential(apiKey), sdkOptions).AsIChatClient();
        return new GuardedChatClient(client, "openai", options);
    }

    /// <summary>Anthropic Messages (streaming) at <paramref name="endpoint"/> (e.g. <see cref="AnthropicEndpoint"/>).</summary>
    public static GuardedChatClient Anthropic(Uri endpoint, string apiKey, string model, HttpClient http, ChatProviderOptions? options = null)
    {
        options ??= new ChatProviderOptions();
        var sdk = new AnthropicSdk.AnthropicClient(new AnthropicSdk.Core.ClientOptions
        {
            ApiKey = apiKey,
            BaseUrl = endpoint.ToString().TrimEnd('/'),
            HttpClient = http,
            Handlers = [new AnthropicErrorHandler(options.Time)],
            MaxRetries = 0,
        });
        return new GuardedChatClient(sdk.AsIChatClient(model), "anthropic", options);
    }
}
