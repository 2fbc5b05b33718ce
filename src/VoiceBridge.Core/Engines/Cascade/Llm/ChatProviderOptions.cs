namespace VoiceBridge.Engines.Cascade.Llm;

/// <summary>How a remote chat client is bounded (see <see cref="GuardedChatClient"/>).</summary>
public sealed record ChatProviderOptions
{
    /// <summary>The clock every timeout runs on [system].</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>From the request to the first streamed update [3 s].</summary>
    public TimeSpan FirstUpdateTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Longest silence between two streamed updates [2 s].</summary>
    public TimeSpan UpdateGapTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Output token cap sent with each request (Anthropic requires one) [400].</summary>
    public int MaxOutputTokens { get; init; } = 400;
}
