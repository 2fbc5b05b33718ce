using System.Text.Json;
using VoiceBridge.Engines;

namespace VoiceBridge.Call.Tools;

/// <summary>
/// The demo deployment's booking tool: free appointment slots for a day. Deterministic (a demo
/// calendar, not a real one), so replays and tests can check that its result reached the caller.
/// </summary>
public sealed class CheckAvailabilityTool : IAgentTool
{
    public ToolDefinition Definition { get; } = new(
        "check_availability",
        "Look up free appointment slots at the clinic for a day.",
        """{"type":"object","properties":{"day":{"type":"string","description":"The day asked for, e.g. tomorrow or Friday"}},"required":["day"]}""");

    public Task<string> InvokeAsync(JsonElement arguments, ToolContext context, CancellationToken cancellationToken)
    {
        var day = arguments.TryGetProperty("day", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : "today";
        var slots = day.Length % 2 == 0 ? new[] { "10:00", "14:30" } : ["09:30", "15:00"];
        return Task.FromResult(JsonSerializer.Serialize(new { day, slots }));
    }
}
