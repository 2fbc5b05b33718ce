using VoiceBridge.Engines;

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

    /// <summary>An event of the call's shadow engine (CallSession.Shadow.cs): handled by the shadow only.</summary>
    Shadow,
}

/// <summary>One input of the call session loop. Caller audio arrives in a pooled buffer.</summary>
internal sealed class CallInput
{
    public static readonly CallInput TickInput = new() { Kind = CallInputKind.Tick };

    public required CallInputKind Kind { get; init; }

    public byte[]? Buffer { get; init; }

    public int Length { get; init; }

    public string? Text { get; init; }

    public EngineEvent? Event { get; init; }

    /// <summary>A hang-up or transfer to carry out, or its progress (CallSession.Tools.cs).</summary>
    public CallControlInput? Control { get; init; }
}
