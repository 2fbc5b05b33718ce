namespace VoiceBridge.Call;

/// <summary>
/// The switch figures that need the rest of the call: when the caller heard an agent again after
/// each switch, the handoff and the dead air up to then, and the words heard twice across it.
/// </summary>
public sealed partial class CallSession
{
    /// <summary>
    /// An engine's audio reached the caller leg: every switch still waiting for the caller to hear an
    /// agent again is complete up to it: this engine's own (the handoff is done), and any earlier one
    /// whose engine failed in turn before it spoke (the caller's wait for it ended here too).
    /// </summary>
    private void OnFallbackAudio(ItemPlayout item)
    {
        var heardAtMs = _playout.AgentAudio.LastFrameAtMs;
        foreach (var record in _switches)
        {
            if (record.CallerHeardAgentAtMs is not null || record.Generation > item.Generation)
            {
                continue;
            }

            record.CallerHeardAgentAtMs = NowMs;
            if (record.Generation == item.Generation)
            {
                _pendingSwitch = null;
                _owedContinuation = null;
                record.FirstFallbackAudioAtMs = NowMs;
            }

            record.OutboundDiscontinuities = _playout.Discontinuities - record.DiscontinuitiesBefore;
            if (Conversation.Last(TurnRole.User) is { } answered && answered.EndMs > record.DetectedAtMs)
            {
                // The caller spoke after the switch (they were mid-turn, had not spoken yet, or the
                // switch came in a quiet moment with nothing to carry on): the agent's audio answers
                // that turn, so the handoff runs from its end, not from the detection (the caller's
                // own pause and speech are no part of it).
                record.CallerSpeechEndMs = answered.EndMs;
            }

            record.DeadAirMs = DeadAir(record, heardAtMs);
            RaiseSwitch(record);
        }

        ForgetHeardAgentAudio();
    }

    /// <summary>
    /// Keeps the agent audio timeline short, after a switch's figures and at each caller turn: with no
    /// switch waiting, a later switch's silence starts no earlier than the caller's latest turn or the
    /// latest agent audio, so what played before is no figure's business (a call without switches
    /// would otherwise keep every reply's run).
    /// </summary>
    private void ForgetHeardAgentAudio()
    {
        if (_pendingSwitch is null && Conversation.Last(TurnRole.User) is { } last)
        {
            _playout.AgentAudio.ForgetBefore(last.StartMs);
        }
    }

    /// <summary>
    /// Silence the caller heard because of the switch until agent audio came again at
    /// <paramref name="heardAtMs"/> (docs/failover.md, "Figures"): from when the caller began waiting
    /// (<see cref="WaitingSince"/>), the time with no agent audio playing, the caller not speaking,
    /// and not within a normal turn gap after the end of the caller's speech.
    /// </summary>
    private long DeadAir(SwitchRecord record, long heardAtMs)
    {
        if (WaitingSince(record, heardAtMs) is not { } from || from >= heardAtMs)
        {
            return 0;
        }

        var gap = NormalTurnGapMs();
        var heard = new List<(long StartMs, long EndMs)>(_playout.AgentAudio.Within(from, heardAtMs));
        foreach (var turn in Conversation.Turns)
        {
            if (turn.Role == TurnRole.User && turn.StartMs < heardAtMs && turn.EndMs + gap > from)
            {
                heard.Add((turn.StartMs, turn.EndMs + gap));
            }
        }

        if (_speechStartPosition >= 0)
        {
            heard.Add((_speechStartMs, heardAtMs));
        }

        return heardAtMs - from - Covered(heard, from, heardAtMs);
    }

    /// <summary>
    /// When the caller began waiting for agent audio because of the switch: a reply cut off, from
    /// when its audio stopped (in the middle of a sentence: no gap is normal there); a caller turn
    /// left unanswered, from its end; otherwise from the end of the caller's first turn after the
    /// switch (the caller's own pause before it was nobody's due). Never before the switch when an
    /// earlier switch was still waiting: that one's figures hold the silence before. Null: the
    /// caller was owed nothing before the agent spoke again.
    /// </summary>
    private long? WaitingSince(SwitchRecord record, long heardAtMs)
    {
        var since = record.OwedRestOfReply
            ? _playout.AgentAudio.HeardUntil(record.DetectedAtMs) ?? record.DetectedAtMs
            : record.UnansweredEndMs ?? Conversation.Turns.FirstOrDefault(t => t.Role == TurnRole.User && t.EndMs > record.DetectedAtMs && t.EndMs <= heardAtMs)?.EndMs;
        return since is { } ms && record.FollowsUnfinished ? Math.Max(ms, record.DetectedAtMs) : since;
    }

    /// <summary>The call's normal turn gap: its shortest first-audio latency so far; before any, the provider's end-of-turn silence window.</summary>
    private long NormalTurnGapMs() =>
        Conversation.Turns.Where(t => t.FirstAudioLatencyMs is not null).Select(t => t.FirstAudioLatencyMs!.Value)
            .DefaultIfEmpty(_options.Failover.ProviderSilenceWindowMs).Min();

    /// <summary>How much of [<paramref name="from"/>, <paramref name="to"/>) the spans cover together.</summary>
    private static long Covered(List<(long StartMs, long EndMs)> spans, long from, long to)
    {
        spans.Sort();
        long covered = 0;
        var reached = from;
        foreach (var (start, end) in spans)
        {
            var s = Math.Max(start, reached);
            var e = Math.Min(end, to);
            if (e > s)
            {
                covered += e - s;
                reached = e;
            }
        }

        return covered;
    }

    /// <summary>Words the caller heard twice across each switch (<see cref="RepeatedWords"/>).</summary>
    private void FinishSwitchFigures()
    {
        var turns = Conversation.Turns;
        foreach (var record in _switches)
        {
            // The last reply the caller heard before the switch: one cut by this switch may start
            // playing only after it (its audio was queued). Usually the old engine's; when that
            // engine failed before it said anything, the reply an earlier switch cut, which this
            // switch's engine was to continue.
            var before = turns.LastOrDefault(t => t.Role == TurnRole.Assistant && t.StartMs > 0
                && !(t.Engine == record.To && t.StartMs >= record.DetectedAtMs)
                && (t.StartMs <= record.DetectedAtMs || (t.Engine == record.From && _cutByHandoff.Contains(t))));
            // The new engine's first reply: every item it said before the caller spoke again (a
            // preamble, then the words after a tool's result, each may echo the cut reply).
            var first = turns.FirstOrDefault(t => t.Role == TurnRole.Assistant && t.Engine == record.To && t.StartMs > 0 && t.StartMs >= record.DetectedAtMs);
            record.RepeatedAgentWords = turns.SkipWhile(t => t != first).TakeWhile(t => t.Role != TurnRole.User)
                .Where(t => t.Engine == record.To && t.StartMs > 0)
                .Select(t => RepeatedWords.Count(turns, before, t))
                .DefaultIfEmpty(0)
                .Max();
        }
    }
}
