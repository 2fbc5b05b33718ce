using System.Text.Json;
using Microsoft.Extensions.AI;
using VoiceBridge.Call;

namespace VoiceBridge.Engines.Cascade;

/// <summary>The call's conversation as chat messages, and tools as declarations the chat client can offer.</summary>
internal static class CascadeHistory
{
    /// <summary>
    /// Instructions as the system message, then the turns in order; assistant turns as the caller
    /// heard them; tool calls as call and result pairs after the turn that asked for them.
    /// </summary>
    public static IEnumerable<ChatMessage> From(Conversation conversation)
    {
        yield return new ChatMessage(ChatRole.System, conversation.Instructions);
        var calls = conversation.ToolCalls.OrderBy(c => c.AtMs).ToList();
        var next = 0;
        foreach (var turn in conversation.Turns)
        {
            while (next < calls.Count && calls[next].AtMs <= turn.StartMs)
            {
                foreach (var message in ToolPair(calls[next++]))
                {
                    yield return message;
                }
            }

            var text = turn.Role == TurnRole.Assistant ? turn.HeardText ?? turn.Text : turn.Text;
            if (!string.IsNullOrWhiteSpace(text))
            {
                yield return new ChatMessage(turn.Role == TurnRole.Assistant ? ChatRole.Assistant : ChatRole.User, text);
            }
        }

        while (next < calls.Count)
        {
            foreach (var message in ToolPair(calls[next++]))
            {
                yield return message;
            }
        }
    }

    /// <summary>A tool's declaration: name, description and JSON schema, with no invocation (the call session runs tools).</summary>
    public static AITool Declaration(ToolDefinition tool)
    {
        using var schema = JsonDocument.Parse(tool.ParametersJsonSchema);
        return AIFunctionFactory.CreateDeclaration(tool.Name, tool.Description, schema.RootElement.Clone());
    }

    private static IEnumerable<ChatMessage> ToolPair(ToolCallRecord call)
    {
        var arguments = JsonSerializer.Deserialize<Dictionary<string, object?>>(string.IsNullOrWhiteSpace(call.Arguments) ? "{}" : call.Arguments);
        yield return new ChatMessage(ChatRole.Assistant, [new FunctionCallContent(call.CallId, call.Name, arguments)]);
        yield return new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, call.Output)]);
    }
}
