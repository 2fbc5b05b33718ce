namespace VoiceBridge.Replay;

/// <summary>What the fake carrier (Twilio, or a SIP phone) observed on the wire.</summary>
public sealed record FakeCallerResult
{
    /// <summary>What the caller sent, 8 kHz PCM, one sample per sample sent.</summary>
    public required short[] CallerTrack { get; init; }

    /// <summary>What the caller heard, 8 kHz PCM, aligned with <see cref="CallerTrack"/>.</summary>
    public required short[] AgentTrack { get; init; }

    /// <summary>Media frames (20 ms) received from the bridge.</summary>
    public long FramesReceived { get; init; }

    /// <summary>Media payloads that were not one whole 20 ms frame.</summary>
    public long OddSizedPayloads { get; init; }

    /// <summary>When the caller heard a short dropout (under 300 ms) in the agent's audio, ms from the call start.</summary>
    public IReadOnlyList<long> DropoutsAtMs { get; init; } = [];

    public long Dropouts => DropoutsAtMs.Count;

    public long MarksPlayed { get; init; }

    public long MarksFlushed { get; init; }

    public long Clears { get; init; }

    /// <summary>Ends of the caller's utterances, in ms from the call start, as sent.</summary>
    public required IReadOnlyList<long> UtteranceEndsMs { get; init; }

    /// <summary>True when the call ended with the agent idle, so counts can be compared exactly.</summary>
    public bool EndedIdle { get; init; }

    public required IReadOnlyList<string> Errors { get; init; }

    /// <summary>Where the bridge transferred the call (the &lt;Dial&gt; target of a Calls API update), if it did.</summary>
    public string? TransferredTo { get; init; }

    /// <summary>What a SIP caller observed of the bridge's RTP stream; null for Twilio.</summary>
    public FakeRtpObservation? Rtp { get; init; }

    /// <summary>TwiML the bridge moved the call to through the Calls API, in order.</summary>
    public IReadOnlyList<string> CallUpdates { get; init; } = [];
}
