using System.Text.Json;
using Microsoft.Extensions.AI;
using VoiceBridge.Call;

namespace VoiceBridge.Engines.Cascade.Llm;

/// <summary>
/// Translates the call's <see cref="Conversation"/> into a chat LLM's message list: instructions as
/// the system message, then turns and tool calls in the order they happened.
/// </summary>
public static class ConversationMessages
{
    /// <summary>
    /// The text of a user message whose words are not known: the caller spoke but the recogniser
    /// gave nothing usable (an empty or low-confidence transcript). Chat providers reject or drop
    /// empty messages, so the turn is kept as this marker; the scripted dialog answers it with a
    /// reprompt, and a real model reads it as "the caller said something we could not make out".
    /// </summary>
    public const string UnrecognisedMarker = "[unrecognised]";

    /// <summary>True when <paramref name="text"/> is the unrecognised marker or carries no words.</summary>
    public static bool IsUnrecognised(string? text) =>
        string.IsNullOrWhiteSpace(text) || text.Trim().Equals(UnrecognisedMarker, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The message list for <paramref name="conversation"/>. User turns carry their transcript (an
    /// unknown one as <see cref="UnrecognisedMarker"/>); assistant turns carry what the caller
    /// heard (<c>HeardText ?? Text</c>), and are left out when nothing was heard. Each tool call
    /// becomes a call message followed by its result, placed before the first turn that started
    /// at or after the call's time.
    /// </summary>
    public static IList<ChatMessage> From(Conversation conversation)
    {
        var messages = new List<ChatMessage>();
        if (!string.IsNullOrWhiteSpace(conversation.Instructions))
        {
            messages.Add(new ChatMessage(ChatRole.System, conversation.Instructions));
        }

        foreach (var (turn, call) in conversation.InOrder())
        {
            if (call is not null)
            {
                AddToolCall(messages, call);
            }
            else if (ToMessage(turn!) is { } message)
            {
                messages.Add(message);
            }
        }

        return messages;
    }

    private static ChatMessage? ToMessage(ConversationTurn turn)
    {
        if (turn.Role == TurnRole.User)
        {
            return new ChatMessage(ChatRole.User, IsUnrecognised(turn.Text) ? UnrecognisedMarker : turn.Text);
        }

        var heard = turn.HeardText ?? turn.Text;
        return string.IsNullOrWhiteSpace(heard) ? null : new ChatMessage(ChatRole.Assistant, heard);
    }

    private static void AddToolCall(List<ChatMessage> messages, ToolCallRecord call)
    {
        messages.Add(new ChatMessage(ChatRole.Assistant, [ToolCallContent(call.CallId, call.Name, call.Arguments)]));
        messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, call.Output)]));
    }

    /// <summary>
    /// A function call with its JSON arguments parsed; arguments that are not a JSON object give a
    /// call with no arguments and the parse error in <see cref="FunctionCallContent.Exception"/>.
    /// </summary>
    public static FunctionCallContent ToolCallContent(string callId, string name, string argumentsJson) =>
        FunctionCallContent.CreateFromParsedArguments(
            string.IsNullOrWhiteSpace(argumentsJson) ? "{}" : argumentsJson,
            callId,
            name,
            json => JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)?
                .ToDictionary(p => p.Key, p => (object?)p.Value));
}
