using Microsoft.Extensions.Logging;

namespace VoiceBridge.Call;

/// <summary>
/// Keys the caller presses (a Twilio <c>dtmf</c> message, an RFC 4733 telephone-event, a SIP INFO).
/// Digits pressed within <see cref="CallSessionOptions.DtmfInterDigitTimeout"/> of each other are
/// collected into one entry (<c>#</c> or <see cref="DtmfText.MaxDigits"/> digits end it at once),
/// which becomes a caller turn <c>[DTMF 1234#]</c> in the <see cref="Conversation"/>: seeded into
/// every later engine like any transcript, and in the report. The active engine gets it as caller
/// text once it is ready (<see cref="Engines.IAgentEngine.SendCallerText"/>).
/// </summary>
/// <remarks>
/// One response per entry, never two at once. The entry asks for a response only when the agent is
/// free: no response in progress, no tool running, no caller turn waiting for its answer, the
/// caller not speaking, and the engine not being seeded after a handoff. Otherwise the digits go
/// into the engine's conversation at once, unanswered, and the next response that starts answers
/// them along with everything else (the reply to the caller's turn, the reply after a tool result,
/// the one response after a handoff); if the engine becomes free with no response having started
/// since, one response is asked for then. A digit never interrupts the agent: its audio plays on,
/// and an answer given while it plays is queued after it. A response the provider started just
/// before the digits reached it, that we had not yet heard of, answers without them (a window of
/// one network round trip); they are still in its conversation for the next reply.
/// </remarks>
public sealed partial class CallSession
{
    private readonly char[] _dtmfDigits = new char[DtmfText.MaxDigits];
    private readonly List<ConversationTurn> _dtmfUndelivered = [];
    private int _dtmfCount;
    private long _dtmfStartMs;
    private long _dtmfStartPosition;
    private long _dtmfLastMs;
    private ConversationTurn? _dtmfAwaitingReply;
    private bool _responseActive;

    private void OnDtmf(string? digit)
    {
        if (!DtmfText.TryNormalize(digit, out var c, out var error))
        {
            ReportLegError($"dtmf: {error}");
            return;
        }

        Log.Dtmf(_logger, CallId, c.ToString());
        if (_dtmfCount == 0)
        {
            _dtmfStartMs = NowMs;
            _dtmfStartPosition = _audioLog.End;
        }

        _dtmfDigits[_dtmfCount++] = c;
        _dtmfLastMs = NowMs;
        if (c == '#' || _dtmfCount == _dtmfDigits.Length)
        {
            FlushDtmf();
        }
    }

    /// <summary>On every tick: an entry with no key pressed for the inter-digit timeout is complete.</summary>
    private void CheckDtmfTimeout()
    {
        if (_dtmfCount > 0 && NowMs - _dtmfLastMs >= _options.DtmfInterDigitTimeout.TotalMilliseconds)
        {
            FlushDtmf();
        }
    }

    /// <summary>The entry becomes a caller turn and goes to the engine.</summary>
    private void FlushDtmf()
    {
        var digits = new string(_dtmfDigits, 0, _dtmfCount);
        _dtmfCount = 0;
        var turn = Conversation.Add(new ConversationTurn
        {
            Role = TurnRole.User,
            Engine = _engine?.Name ?? "",
            Text = DtmfText.Format(digits),
            Dtmf = digits,
            StartMs = _dtmfStartMs,
            EndMs = _dtmfLastMs,
            StartPosition = _dtmfStartPosition,
            EndPosition = _dtmfStartPosition,
        });
        Log.DtmfTurn(_logger, CallId, digits, _engine?.Name ?? "(none)");
        _dtmfUndelivered.Add(turn);
        DeliverDtmf();
    }

    /// <summary>
    /// Gives the engine the entries it has not had, once it is ready; the last one asks for a
    /// response when the agent is free (see the remarks), else it waits for the next response.
    /// </summary>
    private void DeliverDtmf()
    {
        if (!_engineReady || _engine is null || _dtmfUndelivered.Count == 0)
        {
            return;
        }

        var respond = AgentFreeForDtmf();
        for (var i = 0; i < _dtmfUndelivered.Count; i++)
        {
            _engine.SendCallerText(_dtmfUndelivered[i], respond && i == _dtmfUndelivered.Count - 1);
        }

        var last = _dtmfUndelivered[^1];
        _dtmfUndelivered.Clear();
        if (respond)
        {
            DtmfResponseAsked();
        }
        else if (!_seeding)
        {
            // While seeding, the one response after the handoff answers it (the entry is the last
            // caller turn, so a response is owed).
            _dtmfAwaitingReply = last;
        }
    }

    private bool AgentFreeForDtmf() =>
        !_seeding && !_responseActive && _toolsRunning == 0 && _responseDeadlineMs is null && _speechStartPosition < 0;

    private void DtmfResponseAsked()
    {
        _dtmfAwaitingReply = null;
        ArmResponseDeadline(NowMs + _options.Failover.ResponseStallMs);
    }

    /// <summary>A response started: it answers entries the engine already had.</summary>
    private void OnDtmfResponseStarted()
    {
        _responseActive = true;
        _dtmfAwaitingReply = null;
    }

    /// <summary>A response ended: an entry no response has answered yet gets one now if the agent is free.</summary>
    private void OnDtmfResponseDone()
    {
        _responseActive = false;
        if (_dtmfAwaitingReply is { } turn && _engine is not null && AgentFreeForDtmf())
        {
            _engine.SendCallerText(turn, respond: true);
            DtmfResponseAsked();
        }
    }

    /// <summary>
    /// A new engine (first or after a handoff): entries already in the conversation reach it in its
    /// seeded history, so only later ones are delivered (the engine ignores one it already has); an
    /// entry that was waiting is owed the handoff's one response instead.
    /// </summary>
    private void ResetDtmfForNewEngine()
    {
        _dtmfUndelivered.Clear();
        _dtmfAwaitingReply = null;
        _responseActive = false;
    }
}
