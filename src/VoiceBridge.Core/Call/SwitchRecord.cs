namespace VoiceBridge.Call;

/// <summary>
/// One engine switch and the figures FAILOVER.md asks of it (ms on the call's timeline). The code's
/// own accounting fills it; the replay harness adds what only it knows (when an injected fault
/// began) and checks the rest against the wire.
/// </summary>
public sealed class SwitchRecord
{
    public required string From { get; init; }

    public required string To { get; init; }

    /// <summary>The trigger (docs/failover.md lists them): cannot-connect, rate-limited, socket-lost, provider-error, response-stall, audio-stall, slow-turns, quality-regression, session-expiry, breaker-open, failback, drill...</summary>
    public required string Reason { get; init; }

    /// <summary>The evidence: the last event seen, the timer that fired.</summary>
    public required string Evidence { get; init; }

    public long? FaultAtMs { get; set; }

    public required long DetectedAtMs { get; init; }

    /// <summary>
    /// End of the caller turn the new engine must answer (our VAD): one left unanswered at the
    /// switch, or, when the caller spoke after the switch before the new engine's first audio
    /// (mid-turn at the switch, not spoken yet, or a switch in a quiet moment), the turn that ended last.
    /// </summary>
    public long? CallerSpeechEndMs { get; set; }

    /// <summary>
    /// The new engine was to say the rest of a reply the caller heard cut off: one this switch cut,
    /// or one an earlier switch cut whose engine failed before continuing it. False once the new
    /// engine found nothing left to say (the cut reply had been heard to its end), or the caller
    /// spoke over the handoff and was answered instead.
    /// </summary>
    public bool ContinuesReply { get; set; }

    /// <summary>The new engine's first audio handed to the caller leg; null when it never spoke.</summary>
    public long? FirstFallbackAudioAtMs { get; set; }

    /// <summary>
    /// When the caller next heard an agent after the switch: the new engine's first audio, or, when
    /// that engine failed in turn before it spoke, the first audio of an engine after it. Null
    /// while (and, when no engine spoke again, after) the caller waits.
    /// </summary>
    public long? CallerHeardAgentAtMs { get; set; }

    /// <summary>From the later of the detection and the end of the caller turn to answer, to when the caller next heard an agent.</summary>
    public long? HandoffMs => (FirstFallbackAudioAtMs ?? CallerHeardAgentAtMs) - Math.Max(DetectedAtMs, CallerSpeechEndMs ?? 0);

    /// <summary>Silence the caller heard beyond a normal turn gap because of the switch (docs/failover.md, "Figures").</summary>
    public long? DeadAirMs { get; set; }

    public long LostCallerAudioMs { get; set; }

    public long ReplayedCallerAudioMs { get; set; }

    public int SeededTurns { get; init; }

    public int RepeatedAgentWords { get; set; }

    public long DuplicateAgentAudioMs { get; set; }

    public long OutboundDiscontinuities { get; set; }

    /// <summary>
    /// Turns that reached the new engine: as history (items or a summary) when their text is known,
    /// else as replayed audio; less any its seeding budget left out (<see cref="SummarisedTurns"/>).
    /// </summary>
    public int HistoryTurnsCarried { get; set; }

    /// <summary>Of the history, turns the new engine was seeded with as conversation items; null until it is ready, or when it takes the whole history as its own (a cascade).</summary>
    public int? TurnsAsItems { get; set; }

    /// <summary>Of the history, older turns summarised into the new engine's instructions (its seeding budget); null as for <see cref="TurnsAsItems"/>.</summary>
    public int? SummarisedTurns { get; set; }

    /// <summary>The playout's discontinuity count when the switch began (to count those during the handoff).</summary>
    internal long DiscontinuitiesBefore { get; init; }

    internal int Generation { get; init; }

    /// <summary>At the switch, the caller was owed the rest of a reply they heard cut off (<see cref="ContinuesReply"/> as it began).</summary>
    internal bool OwedRestOfReply { get; init; }

    /// <summary>At the switch, the end of the caller turn left unanswered (<see cref="CallerSpeechEndMs"/> as it began).</summary>
    internal long? UnansweredEndMs { get; init; }

    /// <summary>The switch before it was still waiting for its engine's first audio: that switch's figures cover the silence before this one.</summary>
    internal bool FollowsUnfinished { get; init; }
}
