using System.Text.Json;
using VoiceBridge.Engines;

namespace VoiceBridge.Call.Tools;

/// <summary>
/// Built-in <c>transfer</c>: <c>{"target": "+15551234567" | "sip:desk@pbx.example.com"}</c>, or no
/// target for the line's default (<see cref="CallControlOptions.DefaultTransferTarget"/>). The
/// target must be one the line allows; a bad one is an error result the model can read and
/// explain. Once the caller has heard what the agent is saying, the caller leg moves the call
/// (Twilio: the Calls API with <c>&lt;Dial&gt;</c> TwiML).
/// </summary>
public sealed class TransferTool : IAgentTool
{
    public const string Name = "transfer";

    public ToolDefinition Definition { get; } = new(
        Name,
        "Transfer the caller to a person (the front desk) when they ask for one or you cannot help. Tell the caller you are transferring them first. Leave target out for the front desk.",
        """{"type":"object","properties":{"target":{"type":"string","description":"Phone number in E.164 form (e.g. +15551234567) or a sip: URI; leave out for the front desk"},"reason":{"type":"string","description":"Why the caller is transferred"}}}""");

    public async Task<string> InvokeAsync(JsonElement arguments, ToolContext context, CancellationToken cancellationToken)
    {
        string? target = null;
        var reason = "the agent transferred the call";
        if (arguments.ValueKind == JsonValueKind.Object)
        {
            if (arguments.TryGetProperty("target", out var t))
            {
                if (t.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                {
                    return ToolRegistry.Error("'target' must be a string: an E.164 phone number or a sip: URI");
                }

                target = t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            }

            if (arguments.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String)
            {
                reason = r.GetString()!;
            }
        }

        var result = await context.Call.RequestTransferAsync(target, reason, cancellationToken);
        return result.Accepted
            ? JsonSerializer.Serialize(new { ok = true, target = result.Target, status = "the caller is transferred once they have heard what you are saying; say nothing more" })
            : ToolRegistry.Error(result.Error ?? "the call cannot be transferred now");
    }
}
