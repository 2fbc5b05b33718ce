using Microsoft.Extensions.AI;
using VoiceBridge.Engines.Cascade.Llm;

namespace VoiceBridge.Simulator.Chat;

/// <summary>How the simulated chat providers behave.</summary>
public sealed class ChatSimulatorOptions
{
    /// <summary>What answers each request [the scripted Bright Smile Dental dialog].</summary>
    public IChatClient Brain { get; set; } = new ScriptedDialogChatClient();

    /// <summary>From the request to the response headers and first event [200 ms].</summary>
    public TimeSpan FirstTokenDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Between two streamed text or argument fragments [20 ms].</summary>
    public TimeSpan TokenInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>How long a <see cref="ChatFaultKind.Stall"/> holds the stream before ending it [60 s].</summary>
    public TimeSpan StallLimit { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The only API key accepted; null accepts any non-empty key.</summary>
    public string? ApiKey { get; set; }
}
