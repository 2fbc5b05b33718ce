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
    private int _engineIndex;
    private int _toolsRunning;
    private long? _responseDeadlineMs;
    private string? _audioItem;
    private long _lastAgentAudioMs;
    private SwitchRecord? _pendingSwitch;
    private const string LastResortItem = "last-resort-apology";
    private bool _answerWhenReady;
    private bool _hangUpAfterApology;

    /// <summary>Switches so far, in order.</summary>
    public IReadOnlyList<SwitchRecord> Switches => _switches;

    /// <summary>A caller turn ended: the active engine now owes a response.</summary>
    private void ArmResponseStall(ConversationTurn userTurn) =>
        _responseDeadlineMs = userTurn.EndMs + _options.Failover.ProviderSilenceWindowMs + _options.Failover.ResponseStallMs;

    private void OnAgentAudio(string itemId)
    {
        _responseDeadlineMs = null;
        _audioItem = itemId;
        _lastAgentAudioMs = NowMs;
    }

    private void OnAgentAudioDone(string itemId)
    {
        if (_audioItem == itemId)
        {
            _audioItem = null;
        }
    }

    private void OnResponseDone(EngineEvent e)
    {
        _audioItem = null;
        if (e.Status is "failed" or "incomplete")
        {
            AddError($"{_engine!.Name}: response {e.ResponseId} ended {e.Status}: {e.Text}");
        }
    }

    /// <summary>Stall triggers, checked on every tick of the call clock (one timer per call, none per event).</summary>
    private void CheckStalls()
    {
        if (_engine is null)
        {
            return;
        }

        var failover = _options.Failover;
        if (_toolsRunning == 0 && _responseDeadlineMs is { } deadline && NowMs >= deadline)
        {
            Switch("response-stall", $"no response audio {failover.ResponseStallMs} ms after the caller's turn and the {failover.ProviderSilenceWindowMs} ms silence window");
        }
        else if (_audioItem is not null && NowMs - _lastAgentAudioMs >= failover.AudioStallMs)
        {
            Switch("audio-stall", $"no audio for {NowMs - _lastAgentAudioMs} ms in the middle of item {_audioItem}");
        }
    }

    /// <summary>Hands the call to the next engine of the chain, now.</summary>
    private void Switch(string reason, string evidence)
    {
        var from = _engine!;
        if (_engineIndex + 1 >= _chain.Count)
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

        var unanswered = Conversation.Last(TurnRole.User) is { } user && user != _lastAnsweredUserTurn ? user : null;
        var (replayFrom, seeded) = ReplayPoint();
        var record = new SwitchRecord
        {
            From = from.Name,
            To = _chain.NameAt(_engineIndex + 1),
            Reason = reason,
            Evidence = evidence,
            DetectedAtMs = NowMs,
            CallerSpeechEndMs = unanswered?.EndMs,
            SeededTurns = seeded,
            // Every turn so far reaches the new engine: as history when its text is known, else
            // (a caller turn nobody transcribed) as its audio, replayed.
            HistoryTurnsCarried = Conversation.Turns.Count(t => !string.IsNullOrWhiteSpace(t.Text) || (t.Role == TurnRole.User && t.EndPosition > replayFrom)),
            LostCallerAudioMs = CallClock.SamplesToMs(Math.Max(0, _audioLog.Start - replayFrom)),
            DiscontinuitiesBefore = _playout.Discontinuities,
            Generation = _generation + 1,
        };
        // Audit first (queued, never blocking the switch), then act.
        Audit("switch", record.From, record.To, reason, new { evidence, record.DetectedAtMs, record.CallerSpeechEndMs, record.SeededTurns, record.HistoryTurnsCarried });
        _switches.Add(record);
        _pendingSwitch = record;
        Log.Switch(_logger, CallId, record.From, record.To, reason, evidence);

        // Fence: from here on the old generation's events are dropped; it is disposed in the background.
        var oldGeneration = _generation;
        _engine = null;
        _engineReady = false;
        _ = DisposeQuietlyAsync(from);

        // The playout keeps playing what it holds; a reply cut off is kept as what the caller hears of it.
        foreach (var turn in Conversation.Turns.Where(t => t.Role == TurnRole.Assistant && t.ItemId is not null))
        {
            if (_playout.Item(turn.ItemId!) is { Ended: false, Generation: var g } && g == oldGeneration)
            {
                turn.Interrupted = true;
            }
        }

        _playout.EndGeneration(oldGeneration);
        _audioItem = null;
        _responseDeadlineMs = null;
        _answerWhenReady = unanswered is not null && unanswered.EndPosition <= replayFrom;
        _engineIndex++;
        StartEngine(Math.Max(replayFrom, _audioLog.Start));
    }

    /// <summary>
    /// Where the next engine's caller audio starts: after the acknowledged point and after every
    /// following caller turn whose transcript is known (those reach it as text), so each turn
    /// reaches it once. Returns the position and how many turns go as text.
    /// </summary>
    private (long Position, int SeededTurns) ReplayPoint()
    {
        var from = _audioLog.AcknowledgedPosition;
        var seeded = 0;
        foreach (var turn in Conversation.Turns.Where(t => t.Role == TurnRole.User && t.EndPosition > from))
        {
            if (string.IsNullOrWhiteSpace(turn.Text))
            {
                break;
            }

            from = turn.EndPosition;
            seeded++;
        }

        return (from, seeded);
    }

    private void OnEngineReady()
    {
        var from = _engineFedUntil;
        FeedEngineFromLog();
        if (_pendingSwitch is not { } record)
        {
            return;
        }

        record.ReplayedCallerAudioMs = CallClock.SamplesToMs(_engineFedUntil - from);
        if (_answerWhenReady)
        {
            _answerWhenReady = false;
            _engine!.RequestResponse();
            _responseDeadlineMs = NowMs + _options.Failover.ResponseStallMs;
        }
    }

    /// <summary>The new engine's first audio reached the caller leg: the handoff is complete.</summary>
    private void OnFallbackAudio(ItemPlayout item)
    {
        if (_pendingSwitch is not { } record || item.Generation != record.Generation)
        {
            return;
        }

        _pendingSwitch = null;
        record.FirstFallbackAudioAtMs = NowMs;
        record.OutboundDiscontinuities = _playout.Discontinuities - record.DiscontinuitiesBefore;
        var normalGap = Conversation.Turns.Where(t => t.FirstAudioLatencyMs is not null).Select(t => t.FirstAudioLatencyMs!.Value).DefaultIfEmpty(0).Min();
        record.DeadAirMs = Math.Max(0, record.HandoffMs!.Value - normalGap);
    }

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
    /// Words the caller heard twice across each switch: the longest run of words that ends what
    /// was heard before the switch and starts what the new engine said first.
    /// </summary>
    private void FinishSwitchFigures()
    {
        foreach (var record in _switches)
        {
            var before = Conversation.Turns.LastOrDefault(t => t.Role == TurnRole.Assistant && t.Engine == record.From && t.StartMs > 0 && t.StartMs <= record.DetectedAtMs);
            var after = Conversation.Turns.FirstOrDefault(t => t.Role == TurnRole.Assistant && t.Engine == record.To && t.StartMs >= record.DetectedAtMs);
            record.RepeatedAgentWords = Overlap(Words(before?.HeardText ?? before?.Text), Words(after?.HeardText ?? after?.Text));
        }
    }

    private static string[] Words(string? text) =>
        [.. (text ?? "").ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => w.Trim('.', ',', '!', '?', ';', ':'))];

    private static int Overlap(string[] before, string[] after)
    {
        for (var k = Math.Min(before.Length, after.Length); k > 0; k--)
        {
            if (before.AsSpan(before.Length - k).SequenceEqual(after.AsSpan(0, k)))
            {
                return k;
            }
        }

        return 0;
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
                Role = TurnRole.Assistant, Engine = "last-resort", ItemId = LastResortItem, Text = LastResort.DefaultApology,
                AudioMs = CallClock.SamplesToMs(apology.Length),
            });
            _playout.Enqueue(0, LastResortItem, apology);
            _playout.EndItem(LastResortItem);
            _hangUpAfterApology = true;
            return;
        }

        _leg.HangUp();
    }

    private void Audit(string kind, string? from, string? to, string? reason, object details) =>
        _options.AuditLog.Record(new Audit.AuditEvent(kind, CallId, _time.GetUtcNow(), NowMs, from, to, reason, System.Text.Json.JsonSerializer.Serialize(details)));
}
