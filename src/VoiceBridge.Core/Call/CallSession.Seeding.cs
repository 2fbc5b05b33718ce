using VoiceBridge.Engines;
using VoiceBridge.Media;

namespace VoiceBridge.Call;

/// <summary>
/// Seeding a handoff's engine (FAILOVER.md step 5): it starts with its automatic responses off
/// (<see cref="Engines.EngineStart.Seeding"/>), hears each unacknowledged caller turn once (as text
/// in its history, or as replayed audio committed as a turn), then gives exactly one response when
/// a caller turn is owed one, and only then answers on its own again. The one response is asked for
/// when the engine is ready and the caller is silent; when the caller is mid-utterance it waits
/// until that turn is over both for our VAD and for the engine (it committed it), so the reply
/// answers everything the caller said and no automatic response can come after it for the same turn.
/// </summary>
public sealed partial class CallSession
{
    private bool _seeding;
    private bool _seedAwaitsTurn;
    private bool _seedTurnCommitted;

    /// <summary>What the caller heard of a reply a switch cut, until the new engine says the rest (carried to a further switch if it fails first).</summary>
    private string? _owedContinuation;

    /// <summary>
    /// A handoff is under way and owes the caller audio: the rest of a reply it cut, or the answer
    /// to a turn it left unanswered. (Read from other threads: the replay's caller waits on it
    /// rather than take the silence of a slow handoff for the end of the agent's reply.)
    /// </summary>
    public bool HandoffOwesCaller =>
        _engine is not null && _pendingSwitch is { } record && (record.ContinuesReply || record.CallerSpeechEndMs is not null);

    private void OnEngineReady()
    {
        var from = _engineFedUntil;
        if (!_seeding)
        {
            FeedEngineFromLog();
            DeliverDtmf();
            PrepareStandby();
            return;
        }

        // Whole caller turns in the replayed audio (untranscribed ones, and any after them): the
        // replay is cut at the last one's end, where the engine's VAD has heard no trailing silence
        // yet, and committed there, so the turn is closed now and only once.
        if (Conversation.LastSpoken() is { } lastTurn && lastTurn.EndPosition > from)
        {
            FeedEngineFromLog(lastTurn.EndPosition);
            _engine!.CommitCallerTurn();
        }

        // Keys pressed since the engine was started, before the one response asks for an answer.
        DeliverDtmf();

        if (_speechStartPosition >= 0)
        {
            // The caller is mid-utterance: the live audio goes on and the turn ends naturally; the
            // one response comes when it has (TryEndSeeding). A cut reply is not continued over it.
            _seedAwaitsTurn = true;
            _seedTurnCommitted = false;
            DropContinuation();
        }
        else
        {
            EndSeeding();
        }

        FeedEngineFromLog();
        if (_pendingSwitch is { } record)
        {
            record.ReplayedCallerAudioMs = CallClock.SamplesToMs(_engineFedUntil - from);
        }

        PrepareStandby();
    }

    /// <summary>
    /// How a handoff's engine took the history (its seeding budget: recent turns as items, older
    /// ones summarised, any older still left out of what it carries), on the switch and audited.
    /// </summary>
    private void RecordSeeding(HistorySeeding? seeded)
    {
        if (seeded is null || _pendingSwitch is not { } record || record.Generation != _generation)
        {
            return;
        }

        record.TurnsAsItems = seeded.AsItems;
        record.SummarisedTurns = seeded.Summarised;
        record.HistoryTurnsCarried -= seeded.Omitted;
        Audit("seeded", null, record.To, record.Reason, new { asItems = seeded.AsItems, summarised = seeded.Summarised, omitted = seeded.Omitted });
    }

    /// <summary>
    /// The caller's turn that seeding waits for is over: our VAD closed it and the engine committed
    /// it since it last heard speech start. Then the one response, and automatic responses on.
    /// </summary>
    private void TryEndSeeding()
    {
        if (_seedAwaitsTurn && _seedTurnCommitted && _speechStartPosition < 0 && _engineReady)
        {
            _seedAwaitsTurn = false;
            EndSeeding();
        }
    }

    /// <summary>
    /// One response when a caller turn is owed one (the last turn has no reply) or a reply cut by
    /// the handoff is to be continued; none when the caller's last turn had its answer (a turn
    /// replayed only because its transcript never came is not answered twice). Then the engine
    /// answers on its own again.
    /// </summary>
    private void EndSeeding()
    {
        _seeding = false;
        var continueAfter = _owedContinuation;
        var owed = Conversation.Last(TurnRole.User) is { } user && ReplyTo(user) is null;
        if (owed && continueAfter is not null)
        {
            // The caller spoke (or pressed keys) since the cut: the one response answers them.
            DropContinuation();
        }

        var respond = owed || continueAfter is not null;
        _engine!.EndSeeding(respond, owed ? null : continueAfter);
        if (respond)
        {
            ArmResponseDeadline(NowMs + _options.Failover.ResponseStallMs);
            _continuing = !owed;
        }
    }

    /// <summary>The cut reply is not to be continued: the caller spoke over the handoff, or it had been heard to its end.</summary>
    private void DropContinuation()
    {
        _owedContinuation = null;
        if (_pendingSwitch is { } record)
        {
            record.ContinuesReply = false;
        }
    }
}
