using VoiceBridge.Engines;
using VoiceBridge.Legs;

namespace VoiceBridge.Call;

/// <summary>What the call session's single loop processes, in arrival order.</summary>
internal enum CallInputKind
{
    CallerAudio,
    Mark,
    Dtmf,
    Hangup,
    Tick,
    Engine,
    ToolResult,
    CallControl,
    Drill,

    /// <summary>The caller put the call on hold (the leg may not send); <see cref="Resumed"/> takes it off.</summary>
    Held,
    Resumed,

    /// <summary>An event of the call's shadow engine (CallSession.Shadow.cs): handled by the shadow only.</summary>
    Shadow,
}

/// <summary>
/// One input of the call session loop. Caller audio arrives in a pooled buffer. A value, so that
/// queuing a caller frame, a tick or a mark allocates nothing.
/// </summary>
internal readonly struct CallInput
{
    public static readonly CallInput TickInput = new() { Kind = CallInputKind.Tick };

    public required CallInputKind Kind { get; init; }

    public byte[]? Buffer { get; init; }

    public int Length { get; init; }

    public string? Text { get; init; }

    /// <summary>The mark a leg reports played or flushed.</summary>
    public PlayoutMark Mark { get; init; }

    public EngineEvent? Event { get; init; }

    /// <summary>A hang-up or transfer to carry out, or its progress (CallSession.Tools.cs).</summary>
    public CallControlInput? Control { get; init; }
}
