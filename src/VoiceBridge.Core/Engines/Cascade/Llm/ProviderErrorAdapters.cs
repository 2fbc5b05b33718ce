using System.ClientModel;
using System.ClientModel.Primitives;
using VoiceBridge.Transport;

namespace VoiceBridge.Engines.Cascade.Llm;

/// <summary>
/// Under the Anthropic SDK (its <c>ClientOptions.Handlers</c>): HTTP errors become <see cref="ChatProviderException"/>s.
/// It runs inside the SDK's own async chain, so its outcome is handed back with no context current
/// (<see cref="ContextFree"/>: on virtual time the SDK's continuations stay on the loop).
/// </summary>
internal sealed class AnthropicErrorHandler(TimeProvider time) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        ContextFree.Handoff(SendCoreAsync(request, cancellationToken));

    private async Task<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw ProviderErrors.CannotConnect("anthropic", request.RequestUri, e);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var body = await CappedBody.ReadAsync(response.Content, cancellationToken);
            throw ProviderErrors.FromStatus(
                "anthropic", (int)response.StatusCode, response.ReasonPhrase, body, null, Header(response, "Retry-After"), time);
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}

/// <summary>
/// In the OpenAI SDK's pipeline, per try: HTTP errors become <see cref="ChatProviderException"/>s.
/// It runs inside the SDK's own async chain, so its outcome is handed back with no context current
/// (<see cref="ContextFree"/>: on virtual time the SDK's continuations stay on the loop).
/// </summary>
internal sealed class OpenAiErrorPolicy(TimeProvider time) : PipelinePolicy
{
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        try
        {
            ProcessNext(message, pipeline, currentIndex);
        }
        catch (ClientResultException e) when (e.InnerException is HttpRequestException)
        {
            throw ProviderErrors.CannotConnect("openai", message.Request.Uri, e);
        }

        if (message.Response is { IsError: true } response)
        {
            throw Failure(response, response.BufferContent(message.CancellationToken).ToString());
        }
    }

    public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex) =>
        new(ContextFree.Handoff(ProcessCoreAsync(message, pipeline, currentIndex)));

    private async Task ProcessCoreAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        try
        {
            await ProcessNextAsync(message, pipeline, currentIndex);
        }
        catch (ClientResultException e) when (e.InnerException is HttpRequestException)
        {
            throw ProviderErrors.CannotConnect("openai", message.Request.Uri, e);
        }

        if (message.Response is { IsError: true } response)
        {
            throw Failure(response, (await response.BufferContentAsync(message.CancellationToken)).ToString());
        }
    }

    private ChatProviderException Failure(PipelineResponse response, string body) => ProviderErrors.FromStatus(
        "openai",
        response.Status,
        response.ReasonPhrase,
        body,
        response.Headers.TryGetValue("retry-after-ms", out var ms) ? ms : null,
        response.Headers.TryGetValue("Retry-After", out var retryAfter) ? retryAfter : null,
        time);
}
