using System.Text.Json;
using Microsoft.Extensions.AI;
using VoiceBridge.Call.Tools;
using VoiceBridge.Engines.Cascade.Llm;

namespace VoiceBridge.Tests.Engines.Cascade.Llm;

/// <summary>A conversation with a chat client: the history it keeps, and the demo tool run as the call session would.</summary>
internal sealed class DialogHarness(IChatClient brain, bool offerTools = true)
{
    private static readonly CheckAvailabilityTool Tool = new();

    public List<ChatMessage> History { get; } = [new(ChatRole.System, "You are the front desk of Bright Smile Dental.")];

    public ChatOptions Options { get; } = new() { Tools = offerTools ? ToolTranslation.ToAITools([Tool.Definition]) : [] };

    /// <summary>The caller says <paramref name="words"/>; the reply (text, and the tool call if any).</summary>
    public Task<Reply> SayAsync(string words)
    {
        History.Add(new ChatMessage(ChatRole.User, words));
        return ReplyAsync();
    }

    /// <summary>Runs <paramref name="call"/> as the call session would and hands its result to the model.</summary>
    public async Task<Reply> RunToolAsync(FunctionCallContent call)
    {
        var output = await Tool.InvokeAsync(JsonSerializer.SerializeToElement(call.Arguments), dryRun: true, CancellationToken.None);
        History.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, output)]));
        return await ReplyAsync();
    }

    public async Task<Reply> ReplyAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in brain.GetStreamingResponseAsync(History, Options, bound.Token))
        {
            updates.Add(update);
        }

        History.AddMessages(updates);
        return new Reply(
            string.Concat(updates.Select(u => u.Text)),
            updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().SingleOrDefault(),
            updates);
    }

    public sealed record Reply(string Text, FunctionCallContent? Call, IReadOnlyList<ChatResponseUpdate> Updates);
}
