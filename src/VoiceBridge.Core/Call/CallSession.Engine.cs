using VoiceBridge.Engines;
using VoiceBridge.Media;

namespace VoiceBridge.Call;

public sealed partial class CallSession
{
    private readonly Dictionary<string, ProviderUserItem> _providerItems = new(StringComparer.Ordinal);
    private IAgentEngine? _engine;
    private int _generation;
    private bool _engineReady;
    private long _engineFedUntil;
    private long _fencedEvents;

    /// <summary>Events dropped because they came from an engine generation that was replaced.</summary>
    public long FencedEvents => _fencedEvents;

    /// <summary>
    /// Starts the chain's engine at <see cref="_engineIndex"/>, to be fed caller audio from
    /// <paramref name="feedFrom"/> once ready; <paramref name="seeding"/>: a handoff's engine, its
    /// automatic responses off until it is up to date (see <see cref="OnEngineReady"/>).
    /// </summary>
    private void StartEngine(long feedFrom, bool seeding = false)
    {
        seeding |= TakeResumeSeeding();
        _seeding = seeding;
        _seedAwaitsTurn = false;
        _generation++;
        _engine = TakeStandby(_engineIndex) ?? _chain.Create(_engineIndex, CallId);
        _engineReady = false;
        _engineStartedMs = NowMs;
        _engineFedUntil = feedFrom;
        ResetDtmfForNewEngine();
        RaiseEngine(_engine.Name);
        _ = StartEngineCoreAsync(_engine, _generation, seeding);
    }

    private async Task StartEngineCoreAsync(IAgentEngine engine, int generation, bool seeding)
    {
        try
        {
            await engine.StartAsync(new EngineStart(generation, Conversation, _tools.Definitions, this) { Seeding = seeding }, _stop.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var rateLimited = e is Transport.ConnectFailedException { HttpStatus: 429 };
            await ((IEngineEvents)this).PostAsync(new EngineEvent
            {
                Kind = EngineEventKind.Closed, Generation = generation, Text = $"start failed: {e.Message}",
                Status = rateLimited ? "rate-limited" : null,
                RetryAfterSeconds = (e as Transport.ConnectFailedException)?.RetryAfterSeconds,
            });
        }
    }

    private async Task StopEngineAsync()
    {
        if (_standby is { } standby)
        {
            _standby = null;
            await standby.DisposeAsync();
        }

        if (_engine is { } engine)
        {
            _engine = null;
            _engineReady = false;
            await engine.DisposeAsync();
        }
    }

    private void OnEngineEvent(EngineEvent e)
    {
        if (e.Generation != _generation || _engine is null)
        {
            _fencedEvents++;
            return;
        }

        switch (e.Kind)
        {
            case EngineEventKind.Ready:
                _engineReady = true;
                RecordSeeding(e.Seeded);
                OnEngineReady();
                break;
            case EngineEventKind.SpeechStarted:
                ProviderItem(e.ItemId).Start = e.Position;
                _seedTurnCommitted = false;
                BargeIn();
                break;
            case EngineEventKind.SpeechStopped:
                ProviderItem(e.ItemId).End = e.Position;

                // The engine's turn detection may be quicker than ours (a cascade owns a shorter
                // window): a turn already trailing off ends here, before any reply to it can start.
                _vad.EndUtterance(EngineTurnEndMinSilenceMs, _onVadEvent);
                break;
            case EngineEventKind.UserTurnCommitted:
                _seedTurnCommitted = true;
                TryEndSeeding();
                break;
            case EngineEventKind.UserTranscript:
                OnUserTranscript(e.ItemId, e.Text ?? "");
                OnTranscriptQuality(e.ItemId, e.Text);
                break;
            case EngineEventKind.UserTranscriptFailed:
                AddError($"{_engine.Name}: transcription of {e.ItemId} failed: {e.Text}");
                OnUserTranscript(e.ItemId, "");
                OnTranscriptQuality(e.ItemId, null);
                break;
            case EngineEventKind.ResponseStarted:
                OnResponseStarted();
                OnDtmfResponseStarted();
                break;
            case EngineEventKind.AgentAudio:
                AssistantTurn(e.ItemId!).AudioMs += CallClock.SamplesToMs(e.Audio!.Length);
                _playout.Enqueue(e.Generation, e.ItemId!, e.Audio);
                _playout.OnAudioQueued(NowMs);
                OnAgentAudio(e.ItemId!);
                break;
            case EngineEventKind.AgentAudioDone:
                _playout.EndItem(e.ItemId!);
                OnAgentAudioDone(e.ItemId!);
                break;
            case EngineEventKind.AgentTranscriptDelta:
                var partial = AssistantTurn(e.ItemId!);
                partial.Text += e.Text;
                RaiseCaption(partial, final: false);
                break;
            case EngineEventKind.AgentTranscript:
                var turn = AssistantTurn(e.ItemId!);
                turn.Text = e.Text ?? "";
                UpdateHeardText(turn);
                RaiseCaption(turn, final: true);
                break;
            case EngineEventKind.ToolCall:
                _responseHadCall = true;
                _toolsRunning++;
                _ = RunToolAsync(e);
                break;
            case EngineEventKind.ResponseDone:
                OnResponseDone(e);
                OnDtmfResponseDone();
                break;
            case EngineEventKind.Error:
                AddError($"{_engine.Name}: provider error: {e.Text}");
                Log.EngineError(_logger, CallId, _engine.Name, e.Text ?? "");
                if (e.Status == "client-error")
                {
                    Log.ClientError(_logger, CallId, _engine.Name, e.Text ?? "");
                    OnClientError(e.Text ?? "");
                }
                else if (e.Status == "provider-error")
                {
                    var rateLimited = e.Text?.Contains("rate_limit", StringComparison.OrdinalIgnoreCase) == true;
                    Switch(rateLimited ? "rate-limited" : "provider-error", $"error event: {e.Text}");
                }

                break;
            case EngineEventKind.Closed:
                AddError($"{_engine.Name}: connection ended: {e.Text}");
                Log.EngineClosed(_logger, CallId, _engine.Name, e.Text ?? "");
                Switch(
                    e.Status == "rate-limited" ? "rate-limited" : _engineReady ? "socket-lost" : "cannot-connect",
                    e.Text ?? "closed",
                    retryAfter: e.RetryAfterSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null);
                break;
        }
    }

    /// <summary>Brings a newly ready engine up to date with caller audio it has not heard, up to <paramref name="until"/> (default: all of it).</summary>
    private void FeedEngineFromLog(long until = long.MaxValue)
    {
        Span<byte> frame = stackalloc byte[CallClock.FrameSamples];
        until = Math.Min(until, _audioLog.End);
        for (var from = Math.Max(_engineFedUntil, _audioLog.Start); from < until; from = Math.Max(_engineFedUntil, _audioLog.Start))
        {
            var n = _audioLog.Read(from, frame[..(int)Math.Min(frame.Length, until - from)]);
            _engine!.SendCallerAudio(from, frame[..n]);
            _engineFedUntil = from + n;
        }

        _audioLog.Heard(_engineFedUntil);
    }

    private void BargeIn()
    {
        var turn = Conversation.Last(TurnRole.Assistant);
        // Once interrupted, the turn is already cleared and truncated: more caller speech is no new barge-in.
        if (turn?.ItemId is not { } itemId || turn.Interrupted || _playout.Item(itemId) is not { HeardToEnd: false } item)
        {
            return;
        }

        var heardMs = CallClock.SamplesToMs(item.SamplesHeard);
        _playout.Clear();
        _engine!.TruncateAssistant(itemId, heardMs);
        turn.Interrupted = true;
        turn.HeardAudioMs = heardMs;
        turn.EndMs = NowMs;
        UpdateHeardText(turn);
        Log.BargeIn(_logger, CallId, itemId, heardMs);
    }

    private ConversationTurn AssistantTurn(string itemId) =>
        Conversation.FindByItem(itemId) ?? Conversation.Add(new ConversationTurn
        {
            Role = TurnRole.Assistant, Engine = _engine!.Name, ItemId = itemId,
        });

    private ProviderUserItem ProviderItem(string? itemId)
    {
        itemId ??= "";
        if (!_providerItems.TryGetValue(itemId, out var item))
        {
            item = new ProviderUserItem();
            _providerItems[itemId] = item;
        }

        return item;
    }

    private sealed class ProviderUserItem
    {
        public long Start { get; set; } = -1;

        public long End { get; set; } = -1;

        public string? Transcript { get; set; }

        public bool Attached { get; set; }
    }
}
