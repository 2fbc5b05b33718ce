using VoiceBridge.Media;

namespace VoiceBridge.Call;

public sealed partial class CallSession
{
    private ConversationTurn? _lastAnsweredUserTurn;
    private ConversationTurn? _replySentTo;

    private void OnUserTranscript(string? itemId, string text)
    {
        var item = ProviderItem(itemId);
        item.Transcript = text;
        var turn = itemId is null ? null : Conversation.FindByItem(itemId);
        turn ??= BestOverlappingUserTurn(item);
        if (turn is null)
        {
            return;
        }

        turn.ItemId = itemId;
        turn.Text = text;
        turn.Transcribed = true;
        item.Attached = true;
        RaiseCaption(turn, final: true);
        TryAcknowledge(turn);
    }

    /// <summary>Transcripts that arrived before our VAD closed the turn they belong to.</summary>
    private void AttachPendingTranscripts(ConversationTurn turn)
    {
        foreach (var (itemId, item) in _providerItems)
        {
            if (!item.Attached && item.Transcript is not null && Overlap(item, turn) > 0)
            {
                turn.ItemId = itemId;
                turn.Text = item.Transcript;
                turn.Transcribed = true;
                item.Attached = true;
                RaiseCaption(turn, final: true);
            }
        }
    }

    private ConversationTurn? BestOverlappingUserTurn(ProviderUserItem item)
    {
        ConversationTurn? best = null;
        long bestOverlap = 0;
        foreach (var turn in Conversation.Turns)
        {
            if (turn.Role != TurnRole.User || turn.ItemId is not null)
            {
                continue;
            }

            var overlap = Overlap(item, turn);
            if (overlap > bestOverlap)
            {
                best = turn;
                bestOverlap = overlap;
            }
        }

        return best;
    }

    private static long Overlap(ProviderUserItem item, ConversationTurn turn)
    {
        if (item.Start < 0)
        {
            return 0;
        }

        var end = item.End < 0 ? long.MaxValue : item.End;
        return Math.Min(end, turn.EndPosition) - Math.Max(item.Start, turn.StartPosition);
    }

    private void OnItemStarted(ItemPlayout item)
    {
        if (Conversation.FindByItem(item.ItemId) is not { } turn)
        {
            return;
        }

        turn.StartMs = NowMs;
        OnFallbackAudio(item);
        var user = Conversation.LastSpoken();
        if (user is not null && user != _lastAnsweredUserTurn && user.EndMs <= turn.StartMs)
        {
            turn.FirstAudioLatencyMs = turn.StartMs - user.EndMs;
            _lastAnsweredUserTurn = user;
            OnTurnLatency(turn, item);
        }
    }

    private void OnItemSent(ItemPlayout item)
    {
        if (Conversation.FindByItem(item.ItemId) is { } turn)
        {
            turn.EndMs = NowMs;
        }

        _replySentTo = _lastAnsweredUserTurn;
        if (_lastAnsweredUserTurn is { } user)
        {
            TryAcknowledge(user);
        }
    }

    /// <summary>
    /// A caller turn is acknowledged (its audio need not reach another engine) once a reply to it
    /// is complete and being played and its transcript has arrived (FAILOVER.md, "acknowledged
    /// caller audio"). A transcript that came back empty counts: the turn was answered, and
    /// replaying its audio would have the next engine answer it a second time.
    /// </summary>
    private void TryAcknowledge(ConversationTurn user)
    {
        if (user == _replySentTo && user.Transcribed)
        {
            _audioLog.Acknowledge(user.EndPosition);
        }
    }

    private void OnItemHeard(ItemPlayout item)
    {
        if (Conversation.FindByItem(item.ItemId) is { } turn)
        {
            turn.HeardAudioMs = CallClock.SamplesToMs(item.SamplesHeard);
            UpdateHeardText(turn);
        }

        if (item.ItemId == ConsentItem)
        {
            EndConsent("heard");
        }

        if (_hangUpAfterApology && item.ItemId == LastResortItem)
        {
            // The caller has heard the apology to its end (the carrier echoed its last mark).
            FinishLastResort();
        }
    }

    /// <summary>
    /// What the caller heard of an assistant turn: all of it once heard to the end; after a
    /// barge-in, <see cref="HeardText.Estimate"/>.
    /// </summary>
    private void UpdateHeardText(ConversationTurn turn)
    {
        if (!turn.Interrupted)
        {
            turn.HeardText = turn.HeardAudioMs >= turn.AudioMs && turn.AudioMs > 0 ? turn.Text : turn.HeardText;
            return;
        }

        turn.HeardText = HeardText.Estimate(turn.Text, turn.HeardAudioMs, turn.AudioMs, begun: _cutByHandoff.Contains(turn));
    }

    private CallSummary Summarize()
    {
        FinishSwitchFigures();
        var endReason = _endReason ?? "ended";
        int errorCount;
        lock (_errors)
        {
            errorCount = _errors.Count + _errorsNotKept;
        }

        Audit("call-ended", null, null, endReason, new { durationMs = NowMs, endReason, errors = errorCount, lostCallerAudioMs = CallClock.SamplesToMs(_audioLog.LostSamples), switches = _switches.Select(r => new
        {
            r.From, r.To, r.Reason, r.DetectedAtMs, r.FirstFallbackAudioAtMs, r.HandoffMs, r.DeadAirMs, r.LostCallerAudioMs,
            r.ReplayedCallerAudioMs, r.SeededTurns, r.RepeatedAgentWords, r.OutboundDiscontinuities, r.HistoryTurnsCarried,
        }) });
        string[] errors;
        lock (_errors)
        {
            errors = [.. _errors];
        }

        return new CallSummary(
            CallId,
            _legName,
            CallClock.SamplesToMs(_audioLog.End),
            NowMs,
            [.. Conversation.Turns],
            [.. Conversation.ToolCalls],
            _playout.FramesSent,
            _playout.Discontinuities,
            CallClock.SamplesToMs(_audioLog.LostSamples),
            errors,
            [.. _switches],
            _startTimestamp)
        {
            EndReason = endReason,
        };
    }
}

/// <summary>What the code's own accounting says about a finished call.</summary>
public sealed record CallSummary(
    string CallId,
    string Leg,
    long CallerAudioMs,
    long DurationMs,
    IReadOnlyList<ConversationTurn> Turns,
    IReadOnlyList<ToolCallRecord> ToolCalls,
    long OutboundFrames,
    long OutboundDiscontinuities,
    long LostCallerAudioMs,
    IReadOnlyList<string> Errors,
    IReadOnlyList<SwitchRecord>? Switches = null,
    long StartTimestamp = 0)
{
    /// <summary>An RTP leg's media figures (jitter buffer, packets), set by the leg when the call ends; null for Twilio legs.</summary>
    public Legs.Rtp.RtpMediaFigures? Media { get; init; }

    /// <summary>Shadow mode: the shadow engine's per-turn comparison with the active one; null without a shadow.</summary>
    public ShadowComparison? Shadow { get; init; }

    /// <summary>Why the call ended: the leg's word (a Twilio stop, a lost or silent stream, a BYE, an RTP timeout) or the session's (a hang-up, a transfer).</summary>
    public string EndReason { get; init; } = "ended";
}
