using System.Text.Json;
using System.Text.Json.Serialization;

namespace VoiceBridge.Replay;

/// <summary>The replay report (JSON, camelCase). docs/replay-report.md describes every field.</summary>
public sealed record ReplayReport(int SchemaVersion, IReadOnlyList<ReplayCallReport> Calls, ReplaySummary Summary)
{
    /// <summary>The calls a stopped run (Ctrl-C) did not finish, to run again; null when every call ran.</summary>
    public IReadOnlyList<InterruptedRun>? Interrupted { get; init; }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };
}

/// <summary>A call of a stopped run that did not finish (still running or not started): its recording and faults.</summary>
public sealed record InterruptedRun(string File, IReadOnlyList<string> Faults);

/// <summary>How a replayed call ended.</summary>
public enum CallStatus
{
    Passed,
    Failed,
    BadInput,
    InternalError,
}

/// <summary>One replayed recording.</summary>
public sealed record ReplayCallReport
{
    public required string File { get; init; }

    public required CallStatus Status { get; init; }

    /// <summary>The fault specs injected into the call (<c>replay --fault</c> or a run of <c>--faults</c>); empty: none.</summary>
    public IReadOnlyList<string> Faults { get; init; } = [];

    public string Leg { get; init; } = "twilio";

    /// <summary>The call's id on the bridge (a CallSid, a SIP Call-ID): its events in the audit log (<c>voicebridge audit --call ID</c>); null when the call never ran.</summary>
    public string? CallId { get; init; }

    /// <summary>The engines of the call's chain, in order; simulated ones say so.</summary>
    public IReadOnlyList<string> Chain { get; init; } = [];

    public long CallerAudioMs { get; init; }

    public long DurationMs { get; init; }

    /// <summary>Which channel of a stereo recording was the caller, and why (<c>--channel</c>); null for mono.</summary>
    public string? Channel { get; init; }

    /// <summary>Utterances in the sidecar manifest (NAME.txt), when there is one.</summary>
    public int? ExpectedUtterances { get; init; }

    public IReadOnlyList<TurnReport> Turns { get; init; } = [];

    public IReadOnlyList<ToolCallReport> ToolCalls { get; init; } = [];

    /// <summary>Engine switches with FAILOVER.md's figures.</summary>
    public IReadOnlyList<SwitchReport> Switches { get; init; } = [];

    public OutboundReport Outbound { get; init; } = new(0, 0, 0, 0);

    public long LostCallerAudioMs { get; init; }

    /// <summary>Where the call was transferred, as the fake carrier saw it (a Calls API update with &lt;Dial&gt;); null when it was not.</summary>
    public string? TransferredTo { get; init; }

    /// <summary>A SIP call's media figures as the bridge counted them (jitter buffer, packets); null for Twilio.</summary>
    public Legs.Rtp.RtpMediaFigures? Media { get; init; }

    /// <summary>What the replay's SIP phone saw of the bridge's RTP; null for Twilio.</summary>
    public FakeRtpObservation? Rtp { get; init; }

    public ShadowReport? Shadow { get; init; }

    /// <summary>The stereo recording (caller left, agent right, as the caller heard it).</summary>
    public string? Recording { get; init; }

    /// <summary>Checks that failed (an utterance unanswered, a discontinuity, lost audio, ...).</summary>
    public IReadOnlyList<string> Failures { get; init; } = [];

    /// <summary>Errors met on the way (bad messages, provider errors, disagreements of accounting).</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];
}

/// <summary>
/// A turn on the call's timeline (ms from call start). <see cref="Dtmf"/>: keys the caller pressed
/// (a user turn whose text is <c>[DTMF 1234#]</c>); null for speech and for the agent's turns.
/// </summary>
public sealed record TurnReport(
    string Role,
    string Engine,
    string Text,
    long StartMs,
    long EndMs,
    long? FirstAudioLatencyMs,
    string? HeardText,
    bool Interrupted,
    string? Dtmf = null);

public sealed record ToolCallReport(string Name, string Arguments, string Output, string Engine, long AtMs);

/// <summary>
/// The agent's stream toward the caller: frames the bridge sent and gaps it counted, beside what
/// the fake carrier received and the short dropouts it heard.
/// </summary>
public sealed record OutboundReport(long Frames, long Discontinuities, long FramesReceived, long DropoutsHeard);
