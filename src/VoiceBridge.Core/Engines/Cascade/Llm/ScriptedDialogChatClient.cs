using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace VoiceBridge.Engines.Cascade.Llm;

/// <summary>
/// The local, no-network brain of the cascade and its embedded default: a deterministic dialog
/// engine driven by a <see cref="DialogScript"/>, behind <see cref="IChatClient"/> like any model.
/// Each request is answered from the whole message history (see <see cref="DialogState"/>); the
/// reply streams word by word, and a task whose slots are all known calls its tool with a
/// <see cref="FunctionCallContent"/> when the tool is offered in <see cref="ChatOptions.Tools"/>.
/// A user message that is empty or <see cref="ConversationMessages.UnrecognisedMarker"/> gets the
/// script's reprompt; keys the caller pressed (<c>[DTMF 1]</c>) are acknowledged
/// (<see cref="DialogScript.Dtmf"/>). It is no language model, and says so: its responses carry
/// <see cref="Model"/> as their model id.
/// </summary>
public sealed class ScriptedDialogChatClient(DialogScript? script = null, TimeProvider? time = null) : IChatClient
{
    /// <summary>The model id of every response.</summary>
    public const string Model = "scripted-dialog";

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ChatClientMetadata _metadata = new("voicebridge-local", defaultModelId: Model);

    public DialogScript Script { get; } = script ?? DialogScript.BrightSmileDental;

    /// <inheritdoc />
    public Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Reply(messages, options).ToChatResponse());
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var update in Reply(messages, options))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return update;
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? _metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }

    /// <summary>The reply as updates: one per word, the tool call if any, then the finish.</summary>
    private List<ChatResponseUpdate> Reply(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var history = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var heard = history.Count > 0 && history[^1].Role == ChatRole.System ? Continuation.HeardOf(history[^1].Text) : null;
        if (heard is not null)
        {
            // Continue a reply cut off by a handoff: the reply this dialog gives the turn, less the
            // words the caller already heard when they begin it (Continuation.Remainder).
            history = [.. history.Take(history.Count - 1).Reverse().SkipWhile(m => m.Role == ChatRole.Assistant && m.Text.Length > 0).Reverse()];
        }

        var decision = DialogState.Decide(Script, history, name => options?.Tools?.Any(t => t.Name == name) == true);
        if (heard is not null)
        {
            var rest = Continuation.Remainder(heard, decision.Text);
            decision = rest.Length == 0 ? new DialogDecision("") : decision with { Text = rest };
        }

        var responseId = $"scripted-{history.Count:D4}";
        var now = _time.GetUtcNow();
        var updates = new List<ChatResponseUpdate>();
        var words = decision.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < words.Length; i++)
        {
            updates.Add(Text(i == 0 ? words[i] : " " + words[i]));
        }

        if (decision.Call is { } call)
        {
            updates.Add(Update(call));
        }

        var finish = Update();
        finish.FinishReason = decision.Call is null ? ChatFinishReason.Stop : ChatFinishReason.ToolCalls;
        updates.Add(finish);
        return updates;

        ChatResponseUpdate Update(params AIContent[] contents) => new(ChatRole.Assistant, [.. contents])
        {
            ResponseId = responseId,
            MessageId = responseId,
            ModelId = Model,
            CreatedAt = now,
        };

        ChatResponseUpdate Text(string chunk) => Update(new TextContent(chunk));
    }
}
