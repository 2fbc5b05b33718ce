namespace VoiceBridge.Call;

/// <summary>What a <see cref="CallEvent"/> tells a watcher of the call (the demo page, an operator).</summary>
public enum CallEventKind
{
    /// <summary>Text of a turn as it becomes known: the caller's transcript, the agent's words so far.</summary>
    Caption,

    /// <summary>Which engine now answers the call.</summary>
    Engine,

    /// <summary>A failover: detected (no handoff figure yet), then again once the new engine was heard.</summary>
    Switch,

    /// <summary>The call is over; nothing follows.</summary>
    Ended,
}

/// <summary>
/// One thing that happened on a call, as its live feed reports it (<see cref="CallEventFeed"/>):
/// a record of facts already on the call's timeline, so a watcher never needs the session's state.
/// </summary>
public sealed record CallEvent(CallEventKind Kind, long AtMs)
{
    /// <summary>Captions: "caller" or "agent".</summary>
    public string? Role { get; init; }

    /// <summary>Captions: the engine that heard or said it; engine events: the engine answering.</summary>
    public string? Engine { get; init; }

    /// <summary>Captions: the whole text known so far.</summary>
    public string? Text { get; init; }

    /// <summary>Captions: the provider's item, so a page updates one caption as its text grows.</summary>
    public string? ItemId { get; init; }

    /// <summary>Captions: no more text will come for this turn.</summary>
    public bool Final { get; init; }

    public string? From { get; init; }

    public string? To { get; init; }

    public string? Reason { get; init; }

    /// <summary>Switches: detection to the new engine's first audio, once known.</summary>
    public long? HandoffMs { get; init; }
}
