using Microsoft.Extensions.Logging;
using VoiceBridge.Engines;
using VoiceBridge.Media;

namespace VoiceBridge.Call;

/// <summary>
/// The failover triggers the session itself watches (FAILOVER.md, "Triggers"): the stall timers
/// (hard: switch now), the soft ones (slow turns, quality regression, session expiry) that wait
/// for the next turn boundary, and the repeated client error. Connection-level triggers (cannot
/// connect, socket lost, provider error) arrive as engine events (CallSession.Engine.cs).
/// </summary>
public sealed partial class CallSession
{
    private int _toolsRunning;
    private long? _responseDeadlineMs;
    private string? _audioItem;
    private long _lastAgentAudioMs;
    private long _engineStartedMs;
    private int _slowTurns;
    private int _badTranscripts;
    private int _badResponses;
    private int _clientErrors;
    private bool _responseHadAudio;
    private bool _responseHadCall;
    private SoftSwitch? _softSwitch;
    private long _onEngineSinceMs;
    private int _noSoftTargetLogged;
    private bool _responseGraceUsed;
    private bool _audioGraceUsed;
    private long _lastHealthCheckMs;
    private const int HealthCheckIntervalMs = 1000;

    /// <summary>A switch waiting for the next turn boundary.</summary>
    private sealed record SoftSwitch(string Reason, string Evidence, int? Target, bool Failed);

    /// <summary>A caller turn ended: the active engine now owes a response.</summary>
    private void ArmResponseStall(ConversationTurn userTurn) =>
        ArmResponseDeadline(userTurn.EndMs + _options.Failover.ProviderSilenceWindowMs + _options.Failover.ResponseStallMs);

    /// <summary>
    /// A response is owed by <paramref name="atMs"/> (a caller turn, keys, a seeded engine, a tool's
    /// result): a new wait, with a grace of its own should it stall on the last engine; a grace
    /// already granted is never cut short by it.
    /// </summary>
    private void ArmResponseDeadline(long atMs)
    {
        _responseDeadlineMs = _responseGraceUsed && _responseDeadlineMs is { } granted ? Math.Max(granted, atMs) : atMs;
        _responseGraceUsed = false;
    }

    private void OnResponseStarted()
    {
        _responseHadAudio = false;
        _responseHadCall = false;
    }

    private void OnAgentAudio(string itemId)
    {
        // The engine's own audio is queued: a continuation it owed is on its way (a later switch
        // cuts that audio, or lets it play), never carried past it.
        _owedContinuation = null;
        _responseDeadlineMs = null;
        _audioItem = itemId;
        _lastAgentAudioMs = NowMs;
        _responseHadAudio = true;
        _responseGraceUsed = false;
        _audioGraceUsed = false;
    }

    private void OnAgentAudioDone(string itemId)
    {
        if (_audioItem == itemId)
        {
            _audioItem = null;
        }
    }

    /// <summary>A response ended: failed, incomplete or silent (not a function call) is a bad turn.</summary>
    private void OnResponseDone(EngineEvent e)
    {
        _audioItem = null;
        if (_continuing)
        {
            // The continuation of a cut reply: when the cut reply had in fact been heard to its
            // end there is nothing left to say, and an empty answer is neither a stall nor a bad turn.
            _continuing = false;
            if (e.Status is null or "completed" && !_responseHadAudio && !_responseHadCall)
            {
                _responseDeadlineMs = null;
                DropContinuation();
                return;
            }
        }

        if (e.Status is "failed" or "incomplete")
        {
            AddError($"{_engine!.Name}: response {e.ResponseId} ended {e.Status}: {e.Text}");
            CountBadResponse($"response {e.ResponseId} ended {e.Status}");
        }
        else if (e.Status is null or "completed" && !_responseHadAudio && !_responseHadCall)
        {
            CountBadResponse($"response {e.ResponseId} completed without audio");
        }
        else if (e.Status is null or "completed")
        {
            _badResponses = 0;
            _clientErrors = 0;
            _chain.ReportSuccess(_engineIndex);
        }
    }

    private void CountBadResponse(string evidence)
    {
        if (++_badResponses >= _options.Failover.BadTurnsInRow)
        {
            RequestSoftSwitch("quality-regression", $"{_badResponses} bad responses in a row, the last: {evidence}");
        }
    }

    /// <summary>
    /// A caller turn's transcript: empty (or failed) on a turn our VAD heard for longer than
    /// <see cref="FailoverOptions.MinSpeechForTranscriptMs"/> is a bad turn; words reset the count.
    /// </summary>
    private void OnTranscriptQuality(string? itemId, string? text)
    {
        if (!string.IsNullOrWhiteSpace(text))
        {
            _badTranscripts = 0;
            return;
        }

        var item = ProviderItem(itemId);
        var spanMs = item.Start >= 0 && item.End > item.Start
            ? CallClock.SamplesToMs(item.End - item.Start)
            : Conversation.LastSpoken() is { } user ? user.EndMs - user.StartMs : 0;
        if (spanMs >= _options.Failover.MinSpeechForTranscriptMs && ++_badTranscripts >= _options.Failover.BadTurnsInRow)
        {
            RequestSoftSwitch("quality-regression", $"{_badTranscripts} caller turns in a row heard ({spanMs} ms the last) but transcribed as nothing");
        }
    }

    /// <summary>An assistant turn of the active engine started playing: slow turns count.</summary>
    private void OnTurnLatency(ConversationTurn turn, ItemPlayout item)
    {
        if (item.Generation != _generation || turn.FirstAudioLatencyMs is not { } latency)
        {
            return;
        }

        if (latency <= _options.Failover.SlowTurnMs)
        {
            _slowTurns = 0;
        }
        else if (++_slowTurns >= _options.Failover.SlowTurnsInRow)
        {
            RequestSoftSwitch("slow-turns", $"{_slowTurns} turns in a row with first audio over {_options.Failover.SlowTurnMs} ms, the last {latency} ms");
        }
    }

    /// <summary>Our own request was refused: a bug, logged; only when it repeats does the engine go.</summary>
    private void OnClientError(string text)
    {
        if (++_clientErrors >= _options.Failover.ClientErrorsToSwitch)
        {
            Switch("client-errors", $"{_clientErrors} requests in a row refused as invalid, the last: {text}");
        }
    }

    /// <summary>Triggers checked on every tick of the call clock (one timer per call, none per event).</summary>
    private void CheckTriggers()
    {
        if (_engine is null)
        {
            return;
        }

        var failover = _options.Failover;
        if (_toolsRunning == 0 && _responseDeadlineMs is { } deadline && NowMs >= deadline)
        {
            const string ResponseStall = "response-stall";
            var evidence = $"no response audio {failover.ResponseStallMs} ms after the caller's turn and the {failover.ProviderSilenceWindowMs} ms silence window"
                + (_responseGraceUsed ? $", nor in {failover.LastEngineStallGraceMs} ms of grace" : "");
            if (GraceForLastEngine(ResponseStall, evidence, ref _responseGraceUsed))
            {
                _responseDeadlineMs = NowMs + failover.LastEngineStallGraceMs;
            }
            else
            {
                Switch(ResponseStall, evidence);
            }

            return;
        }

        var audioStallMs = failover.AudioStallMs + (_audioGraceUsed ? failover.LastEngineStallGraceMs : 0);
        if (_audioItem is not null && NowMs - _lastAgentAudioMs >= audioStallMs)
        {
            const string AudioStall = "audio-stall";
            var evidence = $"no audio for {NowMs - _lastAgentAudioMs} ms in the middle of item {_audioItem}"
                + (_audioGraceUsed ? $", {failover.LastEngineStallGraceMs} ms of grace included" : "");
            if (!GraceForLastEngine(AudioStall, evidence, ref _audioGraceUsed))
            {
                Switch(AudioStall, evidence);
            }

            return;
        }

        if (_softSwitch is null && failover.SessionLimit(_engine.Name) is { } limit
            && NowMs - _engineStartedMs >= (limit - failover.SessionRotateBefore).TotalMilliseconds)
        {
            RequestSoftSwitch("session-expiry", $"session of {_engine.Name} open {NowMs - _engineStartedMs} ms; its limit is {limit.TotalMinutes:0.#} min", _engineIndex, failed: false);
        }

        if (_softSwitch is null && NowMs - _lastHealthCheckMs >= HealthCheckIntervalMs)
        {
            CheckHealth();
        }

        if (_softSwitch is { } soft && AtTurnBoundary())
        {
            _softSwitch = null;
            Switch(soft.Reason, soft.Evidence, soft.Target, soft.Failed);
        }
    }

    /// <summary>
    /// Shared health, once a second: the active engine's breaker opened because other calls saw it
    /// fail (a soft switch for this live call), or a higher tier has recovered and the call has
    /// dwelt long enough on this one (failback, at a turn boundary; with warm standby, once that
    /// engine is warm).
    /// </summary>
    private void CheckHealth()
    {
        _lastHealthCheckMs = NowMs;
        if (_chain.StateOf(_engineIndex) == Engines.Health.BreakerState.Open)
        {
            RequestSoftSwitch("breaker-open", $"the shared breaker of {_engine!.Name} opened (other calls saw it fail)", failed: false);
            return;
        }

        var dwell = TimeSpan.FromMilliseconds(NowMs - _onEngineSinceMs);
        if (_chain.FailbackTarget(_engineIndex, dwell, _leftDegraded) is { } target && WarmForFailback(target))
        {
            RequestSoftSwitch("failback", $"{_chain.NameAt(target)} is healthy again; {dwell.TotalSeconds:0} s on {_engine!.Name}", target, failed: false);
        }
    }

    /// <summary>
    /// A hard stall on an engine with nowhere to go (no other engine available, a recovered one
    /// included): rather than the last resort's apology and hang-up, the engine gets
    /// <see cref="FailoverOptions.LastEngineStallGraceMs"/> more, once per stall (<paramref name="used"/>:
    /// a new owed response or the engine's audio resets it), audited as <c>stall-grace</c> and not
    /// reported to the shared health: a slow answer beats an apology (an overloaded local engine
    /// answers late, it has not gone away). True when the grace was granted.
    /// </summary>
    private bool GraceForLastEngine(string reason, string evidence, ref bool used)
    {
        var graceMs = _options.Failover.LastEngineStallGraceMs;
        if (used || graceMs == 0 || HasNextEngine(includeRecovered: true))
        {
            return false;
        }

        used = true;
        Log.StallGrace(_logger, CallId, _engine!.Name, reason, evidence, graceMs);
        Audit("stall-grace", _engine.Name, null, reason, new { evidence, graceMs });
        return true;
    }

    /// <summary>Asks for a switch at the next turn boundary (the first request wins).</summary>
    private void RequestSoftSwitch(string reason, string evidence, int? target = null, bool failed = true)
    {
        if (_softSwitch is not null || _engine is null)
        {
            return;
        }

        if (target is null && !HasNextEngine(includeRecovered: false))
        {
            // A degraded engine beats the last resort: with nowhere to go, the call stays.
            if (_noSoftTargetLogged++ == 0)
            {
                Log.NoSoftSwitchTarget(_logger, CallId, _engine.Name, reason, evidence);
            }

            return;
        }

        _softSwitch = new SoftSwitch(reason, evidence, target, failed);
        Log.SoftSwitchPending(_logger, CallId, _engine.Name, reason, evidence);
    }

    /// <summary>
    /// Whether some engine other than the active one could take the call, as <see cref="NextEngine"/>
    /// would choose (a peek: nothing is admitted). <paramref name="includeRecovered"/>: counting an
    /// engine this call failed on that has recovered since, which only a hard failure may go back
    /// to (a soft switch waits for failback's dwell and mode instead).
    /// </summary>
    private bool HasNextEngine(bool includeRecovered) =>
        Engines.Health.ChainRouting.Preference(_chain).Any(i => i != _engineIndex
            && ((!_failedEngines.Contains(i) && _chain.IsAvailable(i)) || (includeRecovered && IsRecoveredForThisCall(i))));

    /// <summary>
    /// Where the call goes: the chain's choice among engines not failed in this call (same tier
    /// first, cheapest first, breakers closed), else one that recovered since it failed; null when
    /// none is left.
    /// </summary>
    private int? NextEngine() => _chain.NextAvailable(_engineIndex, _failedEngines) ?? RecoveredEngine();

    /// <summary>
    /// With nothing else left: an engine this call failed on earlier that has recovered since
    /// (<see cref="IEngineChain.IsRecovered"/>), never one it left because it degraded; it beats
    /// the last resort whatever the failback dwell or mode.
    /// </summary>
    private int? RecoveredEngine() => Engines.Health.ChainRouting.Select(_chain, i => i != _engineIndex && IsRecoveredForThisCall(i));

    /// <summary>
    /// An engine this call failed on (hard: not one it left because it degraded) whose shared health
    /// has seen it recover since (<see cref="IEngineChain.IsRecovered"/>).
    /// </summary>
    private bool IsRecoveredForThisCall(int index) =>
        _failedEngines.Contains(index) && !_leftDegraded.Contains(index) && _chain.IsRecovered(index);

    /// <summary>
    /// Agent done speaking, caller not speaking, nothing owed: no response pending or playing, no
    /// tool running, the last caller turn answered, and any earlier handoff complete.
    /// </summary>
    private bool AtTurnBoundary() =>
        _engineReady && _pendingSwitch is null && _speechStartPosition < 0 && !_playout.IsPlaying
        && _responseDeadlineMs is null && _audioItem is null && _toolsRunning == 0
        && (Conversation.Last(TurnRole.User) is not { } user || ReplyTo(user) is not null);

    /// <summary>A new engine starts with clean counters and timers.</summary>
    private void ResetTriggers()
    {
        _audioItem = null;
        _responseDeadlineMs = null;
        _slowTurns = 0;
        _badTranscripts = 0;
        _badResponses = 0;
        _clientErrors = 0;
        _softSwitch = null;
        _continuing = false;
        _responseGraceUsed = false;
        _audioGraceUsed = false;
    }
}
