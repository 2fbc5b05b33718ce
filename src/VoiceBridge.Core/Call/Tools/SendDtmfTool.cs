using System.Text.Json;
using VoiceBridge.Engines;

namespace VoiceBridge.Call.Tools;

/// <summary>
/// Built-in <c>send_dtmf</c>: the agent presses keys toward the caller's side, e.g. to work an
/// automated menu after a transfer or to enter an extension. A SIP leg sends them as RFC 4733
/// telephone-events; a carrier that cannot (Twilio Media Streams; a SIP caller that did not offer
/// telephone-event) refuses with an error the model can read.
/// </summary>
public sealed class SendDtmfTool : IAgentTool
{
    public const string Name = "send_dtmf";

    public ToolDefinition Definition { get; } = new(
        Name,
        "Press telephone keys on the call, e.g. to choose an option of an automated menu. Digits 0-9, * and #.",
        """{"type":"object","properties":{"digits":{"type":"string","description":"The keys to press, in order, e.g. 1 or 1234#"}},"required":["digits"]}""");

    public Task<string> InvokeAsync(JsonElement arguments, ToolContext context, CancellationToken cancellationToken)
    {
        var digits = arguments.ValueKind == JsonValueKind.Object && arguments.TryGetProperty("digits", out var d) && d.ValueKind == JsonValueKind.String
            ? d.GetString()!.Trim().ToUpperInvariant()
            : "";
        if (digits.Length is 0 or > DtmfText.MaxDigits || !digits.All(DtmfText.IsDigit))
        {
            return Task.FromResult(ToolRegistry.Error($"digits must be 1 to {DtmfText.MaxDigits} of 0-9, *, #, A-D"));
        }

        var result = context.Call.SendDigits(digits);
        return Task.FromResult(result.Accepted
            ? JsonSerializer.Serialize(new { ok = true, sent = digits })
            : ToolRegistry.Error(result.Error ?? "keys cannot be sent on this call"));
    }
}
