namespace VoiceBridge.Call;

/// <summary>
/// What a call's shadow engine did beside the active one (docs/failover.md, "Shadow mode"): one
/// row per caller turn our VAD heard, and the shadow's own failure, if it failed.
/// </summary>
/// <param name="Engine">The shadow engine's name.</param>
/// <param name="Turns">One row per caller speech turn (keys pressed are not compared).</param>
/// <param name="Failure">Why the shadow stopped (it could not start, its connection ended, its provider reported an error); null while it ran to the end.</param>
/// <param name="FailedAtMs">When it failed, on the call's timeline.</param>
/// <param name="ToolCallsNotRun">Tool calls the shadow asked for, answered with <see cref="ShadowMode.NotExecutedOutput"/>.</param>
/// <param name="MissedCallerAudioMs">Caller audio the shadow never heard: the call had acknowledged (and dropped) it before the shadow was ready.</param>
public sealed record ShadowComparison(
    string Engine,
    IReadOnlyList<ShadowTurn> Turns,
    string? Failure,
    long? FailedAtMs,
    int ToolCallsNotRun,
    long MissedCallerAudioMs);

/// <summary>
/// One caller turn (our VAD's span, <see cref="Index"/> from 1) as the active engine and the
/// shadow each handled it. <see cref="WordErrorRate"/>: the shadow's transcript against the active
/// engine's (the reference); null when the active transcript has no words.
/// </summary>
public sealed record ShadowTurn(int Index, long StartMs, long EndMs, ShadowSide Active, ShadowSide Shadow, double? WordErrorRate);

/// <summary>
/// One engine's side of a turn: what it transcribed, how soon it answered, how long its answer was.
/// </summary>
/// <param name="Engine">The engine (for the active side, the one that answered: a switch may change it).</param>
/// <param name="Transcript">Its final transcript of the caller's turn; null when none came.</param>
/// <param name="FirstAudioLatencyMs">
/// From the end of the caller's speech (our VAD) to its first answer audio: for the active engine
/// when the playout started it (as <c>TurnReport.FirstAudioLatencyMs</c>), for the shadow when its
/// first audio reached the bridge (nothing plays it). Null: no answer. Negative: the shadow began
/// answering before the caller had finished (its own turn detection cut in).
/// </param>
/// <param name="ResponseAudioMs">Audio of its answer (every response item until the caller's next turn), as produced.</param>
/// <param name="ResponseWords">Words of its answer's text.</param>
/// <param name="ResponseText">Its answer's text.</param>
public sealed record ShadowSide(string Engine, string? Transcript, long? FirstAudioLatencyMs, long ResponseAudioMs, int ResponseWords, string ResponseText);
