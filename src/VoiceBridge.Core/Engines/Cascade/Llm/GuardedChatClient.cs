using System.ClientModel;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Anthropic.Exceptions;
using Microsoft.Extensions.AI;

namespace VoiceBridge.Engines.Cascade.Llm;

/// <summary>
/// Wraps a provider's <see cref="IChatClient"/> so that every failure surfaces from the streaming
/// enumeration as a <see cref="ChatProviderException"/>, and no wait is unbounded: the first update
/// and each gap between updates are timed on the injected clock (the consumer's own time between
/// updates is not counted). A stream that ends without a finish reason is reported as truncated.
/// </summary>
public sealed class GuardedChatClient(IChatClient inner, string provider, ChatProviderOptions options) : DelegatingChatClient(inner)
{
    /// <inheritdoc />
    public override Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsync(messages, chatOptions, cancellationToken).ToChatResponseAsync(cancellationToken);

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? chatOptions = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var timeout = new CancellationTokenSource(Timeout.InfiniteTimeSpan, options.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var request = chatOptions?.Clone() ?? new ChatOptions();
        request.MaxOutputTokens ??= options.MaxOutputTokens;

        timeout.CancelAfter(options.FirstUpdateTimeout);
        var waited = options.FirstUpdateTimeout;
        var finished = false;
        IAsyncEnumerator<ChatResponseUpdate>? updates = null;
        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    updates ??= base.GetStreamingResponseAsync(messages, request, linked.Token).GetAsyncEnumerator(linked.Token);
                    if (!await updates.MoveNextAsync())
                    {
                        break;
                    }

                    update = updates.Current;
                }
                catch (Exception e) when (Translate(e, cancellationToken, timeout.IsCancellationRequested, waited) is { } translated)
                {
                    throw translated;
                }

                finished |= update.FinishReason is not null;
                timeout.CancelAfter(Timeout.InfiniteTimeSpan);
                yield return update;
                timeout.CancelAfter(options.UpdateGapTimeout);
                waited = options.UpdateGapTimeout;
            }
        }
        finally
        {
            if (updates is not null)
            {
                await updates.DisposeAsync();
            }
        }

        if (!finished)
        {
            throw new ChatProviderException(provider, ChatFailure.Truncated, "the response stream ended before the response finished (no finish reason)");
        }
    }

    /// <summary>The provider failure behind <paramref name="e"/>; null to let it through unchanged.</summary>
    private ChatProviderException? Translate(Exception e, CancellationToken caller, bool timedOut, TimeSpan waited)
    {
        if (e is ChatProviderException)
        {
            return null;
        }

        if (e is OperationCanceledException && caller.IsCancellationRequested)
        {
            return null;
        }

        for (var x = e.InnerException; x is not null; x = x.InnerException)
        {
            if (x is ChatProviderException nested)
            {
                return nested;
            }
        }

        return e switch
        {
            OperationCanceledException when timedOut =>
                Fail(ChatFailure.Stalled, $"no update within {waited.TotalMilliseconds:0} ms"),
            OperationCanceledException =>
                Fail(ChatFailure.Stalled, "the provider SDK's own network timeout expired"),
            AnthropicSseException => Fail(ChatFailure.Unavailable, "the provider sent an error event"),
            AnthropicInvalidDataException or JsonException or FormatException or InvalidDataException =>
                Fail(ChatFailure.MalformedOutput, "the provider sent output that could not be parsed"),
            AnthropicApiException api => Status((int)api.StatusCode),
            ClientResultException { Status: > 0 } result => Status(result.Status),
            IOException or HttpRequestException or AnthropicIOException or ClientResultException =>
                Fail(ChatFailure.ConnectionLost, "the connection broke while the response was streaming"),
            _ => null,
        };

        ChatProviderException Fail(ChatFailure failure, string message) => new(provider, failure, $"{message} ({e.Message})", e);

        ChatProviderException Status(int status) => new(
            provider,
            status == 429 ? ChatFailure.RateLimited : status >= 500 || status == 408 ? ChatFailure.Unavailable : ChatFailure.Rejected,
            $"HTTP {status} ({e.Message})",
            e)
        {
            StatusCode = status,
        };
    }
}
