using Microsoft.Extensions.Logging;
using VoiceBridge.Engines;
using VoiceBridge.Media;

namespace VoiceBridge.Call;

/// <summary>
/// Failover (FAILOVER.md): the triggers the session watches, and the handoff to the next engine of
/// the chain: decide and record; fence the old engine by generation; keep the playout playing; cut
/// the reply that was cut off to what was heard; start the next engine seeded with the
/// conversation; bring it up to date on the caller (each unacknowledged turn once: as text when
/// its transcript is known, else as replayed audio); answer a turn nobody answered; and the
/// outbound stream goes on on the same clock.
/// </summary>
public sealed partial class CallSession
{
    private readonly List<SwitchRecord> _switches = [];
    private readonly HashSet<int> _failedEngines = [];
    private readonly HashSet<int> _leftDegraded = [];
    private readonly HashSet<ConversationTurn> _cutByHandoff = [];
    private int _engineIndex;
    private SwitchRecord? _pendingSwitch;
    private const string LastResortItem = "last-resort-apology";
    private bool _continuing;
    private bool _hangUpAfterApology;

    /// <summary>Switches so far, in order.</summary>
    public IReadOnlyList<SwitchRecord> Switches => _switches;

    /// <summary>
    /// Hands the call over now: to <paramref name="target"/> (a fresh session of the same engine,
    /// a failback), else to the next engine of the chain. <paramref name="failed"/>: the engine
    /// failed (it is not tried again in this call); a planned switch passes false.
    /// <paramref name="shared"/>: the failure also counts in the provider's shared health (a drill's does not).
    /// </summary>
    private void Switch(string reason, string evidence, int? target = null, bool failed = true, TimeSpan? retryAfter = null, bool shared = true)
    {
        var from = _engine!;
        if (failed)
        {
            _failedEngines.Add(_engineIndex);
            if (IsDegradation(reason))
            {
                _leftDegraded.Add(_engineIndex);
            }

            if (shared)
            {
                // Every call's outcomes feed the provider's shared health (breakers across calls).
                _chain.ReportFailure(_engineIndex, reason, retryAfter);
            }
        }

        var to = target ?? NextEngine();
        if (to is null)
        {
            AddError($"every engine of the chain is down (last: {from.Name}, {reason}: {evidence})");
            Log.ChainExhausted(_logger, CallId, from.Name, reason);
            Audit("chain-exhausted", from.Name, null, reason, new { evidence });
            _engine = null;
            _engineReady = false;
            _ = DisposeQuietlyAsync(from);
            PlayLastResort();
            return;
        }

        // The last caller turn is answered once a reply to it has audio queued: the playout plays
        // what it holds. A reply the old engine was still producing is cut: the caller hears what
        // is queued, and the new engine continues it. Keys pressed while it played come after it
        // in the conversation: the reply looked for follows the last spoken turn.
        var lastUser = Conversation.Last(TurnRole.User);
        var lastSpoken = Conversation.LastSpoken();
        var reply = lastSpoken is null ? Conversation.Last(TurnRole.Assistant) : ReplyTo(lastSpoken);
        var cut = reply is not null && _playout.Item(reply.ItemId!) is { Ended: false, SamplesQueued: > 0 } cutItem && cutItem.Generation == _generation ? reply : null;

        // The playout keeps playing what it holds; a reply cut off is kept as what the caller will
        // have heard of it (all its queued audio), which seeds the new engine.
        if (cut is not null)
        {
            cut.Interrupted = true;
            _cutByHandoff.Add(cut);
            cut.HeardAudioMs = CallClock.SamplesToMs(_playout.Item(cut.ItemId!)!.SamplesQueued);
            cut.HeardText = HeardText.Estimate(cut.Text, cut.HeardAudioMs, Math.Max(cut.AudioMs, cut.HeardAudioMs), begun: true);
        }

        // A turn whose reply was cut before any of its words were known is not answered (ReplyTo).
        var unanswered = lastUser is not null && ReplyTo(lastUser) is null ? lastUser : null;

        // The new engine continues the cut reply from what was heard (nothing to go on: no
        // continuation). A reply an earlier switch cut, whose engine failed before any audio of
        // its own came, is still the caller's due: this switch's engine continues it.
        var continuation = cut is not null ? cut.HeardText : _owedContinuation;
        continuation = string.IsNullOrWhiteSpace(continuation) ? null : continuation;
        var (replayFrom, seeded) = ReplayPoint();
        var record = new SwitchRecord
        {
            From = from.Name,
            To = _chain.NameAt(to.Value),
            Reason = reason,
            Evidence = evidence,
            DetectedAtMs = NowMs,
            CallerSpeechEndMs = unanswered?.EndMs,
            ContinuesReply = continuation is not null,
            SeededTurns = seeded,
            // Every turn so far reaches the new engine: as history when its text is known, else
            // (a caller turn nobody transcribed) as its audio, replayed.
            HistoryTurnsCarried = Conversation.Turns.Count(t => !string.IsNullOrWhiteSpace(t.Text) || (t.Role == TurnRole.User && t.EndPosition > replayFrom)),
            LostCallerAudioMs = CallClock.SamplesToMs(Math.Max(0, _audioLog.Start - replayFrom)),
            DiscontinuitiesBefore = _playout.Discontinuities,
            Generation = _generation + 1,
            OwedRestOfReply = continuation is not null,
            UnansweredEndMs = unanswered?.EndMs,
            FollowsUnfinished = _pendingSwitch is not null,
        };
        // Audit first (queued, never blocking the switch), then act.
        Audit("switch", record.From, record.To, reason, new { evidence, record.DetectedAtMs, record.CallerSpeechEndMs, record.ContinuesReply, record.SeededTurns, record.HistoryTurnsCarried });
        _switches.Add(record);
        _pendingSwitch = record;
        RaiseSwitch(record);
        Log.Switch(_logger, CallId, record.From, record.To, reason, evidence);

        // Fence: from here on the old generation's events are dropped; it is disposed in the background.
        var oldGeneration = _generation;
        _engine = null;
        _engineReady = false;
        _ = DisposeQuietlyAsync(from);

        _owedContinuation = continuation;

        _playout.EndGeneration(oldGeneration);
        if (_options.Filler is { Length: > 0 } filler && unanswered is not null && cut is null)
        {
            // FAILOVER step 6: the caller waits for an answer; a short filler masks the gap. It is
            // not one of the agent's turns (no engine said it), and the new engine's reply plays after it.
            var fillerId = $"filler-{record.Generation}";
            _playout.Enqueue(0, fillerId, filler);
            _playout.EndItem(fillerId);
        }

        ResetTriggers();
        if (_engineIndex != to.Value)
        {
            _onEngineSinceMs = NowMs;
        }

        _engineIndex = to.Value;
        StartEngine(Math.Max(replayFrom, _audioLog.Start), seeding: true);
    }

    /// <summary>
    /// A new call starts on the chain's first available engine (best tier, cheapest, breaker
    /// closed); with every breaker open it goes straight to the last resort.
    /// </summary>
    private void StartFirstEngine()
    {
        if (PlayConsent())
        {
            return;
        }

        StartFirstEngine(0);
    }

    /// <summary>The chain's first available engine, fed the caller's audio from <paramref name="from"/>.</summary>
    private void StartFirstEngine(long from)
    {
        if (_chain.FirstAvailable() is { } first)
        {
            _engineIndex = first;
            StartEngine(from);
            return;
        }

        AddError("no engine available at call start: every engine's breaker is open");
        Log.ChainExhausted(_logger, CallId, "(none)", "breaker-open");
        Audit("chain-exhausted", null, null, "breaker-open", new { evidence = "every engine's breaker was open at call start" });
        PlayLastResort();
    }

    /// <summary>
    /// Reasons that say the engine degraded rather than went away: its session kept working, so a
    /// readiness probe would call it healthy while it is still slow or mute (no failback to it in this call).
    /// </summary>
    private static bool IsDegradation(string reason) => reason is "response-stall" or "audio-stall" or "slow-turns" or "quality-regression";

    /// <summary>
    /// The latest assistant turn after <paramref name="user"/> with audio queued for the caller, if
    /// any; not a reply a handoff cut before any of its words were known (the caller heard a
    /// fragment of sound, and there is nothing to continue after: the next engine answers afresh).
    /// </summary>
    private ConversationTurn? ReplyTo(ConversationTurn user)
    {
        var turns = Conversation.Turns;
        for (var i = turns.Count - 1; i >= 0 && turns[i] != user; i--)
        {
            if (turns[i] is { Role: TurnRole.Assistant, ItemId: { } itemId } turn && _playout.Item(itemId) is { SamplesQueued: > 0 }
                && !(_cutByHandoff.Contains(turn) && string.IsNullOrWhiteSpace(turn.HeardText)))
            {
                return turn;
            }
        }

        return null;
    }

    /// <summary>
    /// Where the next engine's caller audio starts: after the acknowledged point and after every
    /// following caller turn whose transcript is known (those reach it as text), so each turn
    /// reaches it once; and no earlier than <see cref="ReplayPreRollMs"/> before the first caller
    /// speech our VAD heard after that (a turn without its transcript, or the one in progress):
    /// what lies before it is the line's background, which a new engine's VAD, cold on that
    /// line, could take for a turn and answer. Returns the position and how many turns go as text.
    /// </summary>
    private (long Position, int SeededTurns) ReplayPoint()
    {
        var from = _audioLog.AcknowledgedPosition;
        var seeded = 0;
        long? speech = null;
        foreach (var turn in Conversation.Turns.Where(t => t is { Role: TurnRole.User, Dtmf: null } && t.EndPosition > from))
        {
            if (string.IsNullOrWhiteSpace(turn.Text))
            {
                speech = turn.StartPosition;
                break;
            }

            from = turn.EndPosition;
            seeded++;
        }

        speech ??= _speechStartPosition >= 0 ? _speechStartPosition : _audioLog.End;
        return (Math.Max(from, speech.Value - CallClock.MsToSamples(ReplayPreRollMs)), seeded);
    }

    /// <summary>Background kept before replayed caller speech, so the engine hears its onset whole.</summary>
    private const int ReplayPreRollMs = 300;

    private async Task DisposeQuietlyAsync(IAgentEngine engine)
    {
        try
        {
            await engine.DisposeAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.DisposeFailed(_logger, CallId, engine.Name, e);
        }
    }

    /// <summary>
    /// Every engine is down: the caller hears the apology (when one is configured), then the call
    /// is ended cleanly rather than left in silence.
    /// </summary>
    private void PlayLastResort()
    {
        _playout.EndGeneration(_generation);
        if (_options.Apology is { Length: > 0 } apology)
        {
            Conversation.Add(new ConversationTurn
            {
                Role = TurnRole.Assistant, Engine = "last-resort", ItemId = LastResortItem, Text = LastResort.Text(_options),
                AudioMs = CallClock.SamplesToMs(apology.Length),
            });
            _playout.Enqueue(0, LastResortItem, apology);
            _playout.EndItem(LastResortItem);
            _hangUpAfterApology = true;
            return;
        }

        FinishLastResort();
    }

    private void Audit(string kind, string? from, string? to, string? reason, object details) =>
        _options.AuditLog.Record(new Audit.AuditEvent(kind, CallId, _time.GetUtcNow(), NowMs, from, to, reason, System.Text.Json.JsonSerializer.Serialize(details)));
}
