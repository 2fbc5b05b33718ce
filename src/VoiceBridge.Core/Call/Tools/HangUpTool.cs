using System.Text.Json;
using VoiceBridge.Engines;

namespace VoiceBridge.Call.Tools;

/// <summary>
/// Built-in <c>hangup</c>: the agent ends the call. The session lets the caller hear what the
/// agent is saying first (its playout drains: the leg echoes the marks), then hangs up the leg.
/// </summary>
public sealed class HangUpTool : IAgentTool
{
    public const string Name = "hangup";

    public ToolDefinition Definition { get; } = new(
        Name,
        "End the phone call. Say goodbye first: the call ends once the caller has heard what you are saying. Use it when the caller is done or asks to end the call.",
        """{"type":"object","properties":{"reason":{"type":"string","description":"Why the call ends, e.g. caller said goodbye"}}}""");

    public async Task<string> InvokeAsync(JsonElement arguments, ToolContext context, CancellationToken cancellationToken)
    {
        var reason = arguments.ValueKind == JsonValueKind.Object && arguments.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String
            ? r.GetString()!
            : "the agent ended the call";
        var result = await context.Call.RequestHangUpAsync(reason, cancellationToken);
        return result.Accepted
            ? JsonSerializer.Serialize(new { ok = true, status = "the call ends once the caller has heard what you are saying; say nothing more" })
            : ToolRegistry.Error(result.Error ?? "the call cannot be ended now");
    }
}
