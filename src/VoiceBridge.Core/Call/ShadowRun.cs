using Microsoft.Extensions.Logging;
using VoiceBridge.Engines;
using VoiceBridge.Media;

namespace VoiceBridge.Call;

/// <summary>
/// A call's shadow engine (docs/failover.md, "Shadow mode"): fed every caller frame the active
/// engine gets, started from the same instructions and tools, and then left to hold its own
/// conversation. Its events come back through the call loop (one writer, as for the active engine)
/// but are handled here only: nothing it says reaches the caller leg, the playout, the call's
/// conversation, the tools or the failover triggers, and its failure is recorded, never acted on.
/// </summary>
internal sealed partial class ShadowRun(string callId, string name, CallerAudioLog audioLog, Func<EngineEvent, ValueTask> post, ILogger logger) : IEngineEvents
{
    private const int Generation = 1;
    private readonly Dictionary<string, HeardItem> _heard = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Reply> _replies = new(StringComparer.Ordinal);
    private IAgentEngine? _engine;
    private bool _ready;
    private long _fedUntil;
    private long _missedSamples;
    private string? _failure;
    private long? _failedAtMs;
    private int _toolCallsNotRun;
    private Reply? _lastReply;

    public string Name => name;

    /// <summary>Builds and starts the engine with <paramref name="conversation"/> (the call's instructions, no turns: its own from here on).</summary>
    public void Start(Func<IAgentEngine> create, Conversation conversation, IReadOnlyList<ToolDefinition> tools, long nowMs, CancellationToken cancellationToken)
    {
        try
        {
            _engine = create();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Fail($"could not be built: {e.Message}", nowMs);
            return;
        }

        Log.Started(logger, callId, name);
        _ = StartCoreAsync(_engine, new EngineStart(Generation, conversation, tools, this), cancellationToken);
    }

    ValueTask IEngineEvents.PostAsync(EngineEvent engineEvent) => post(engineEvent);

    /// <summary>The caller frame the active engine just got (the same bytes, not copied); dropped until the shadow is ready (it then reads the log) and once it failed.</summary>
    public void SendCallerAudio(long position, ReadOnlySpan<byte> mulaw)
    {
        if (_ready)
        {
            _engine!.SendCallerAudio(position, mulaw);
            _fedUntil = position + mulaw.Length;
        }
    }

    /// <summary>One of the shadow's events, on the call loop; a bug here stops the shadow, never the call.</summary>
    public void OnEvent(EngineEvent e, long nowMs)
    {
        if (_failure is not null || _engine is null)
        {
            return;
        }

        try
        {
            Handle(e, nowMs);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Fail($"handling its {e.Kind} failed: {ex.Message}", nowMs);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_engine is not { } engine)
        {
            return;
        }

        _engine = null;
        _ready = false;
        try
        {
            await engine.DisposeAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.DisposeFailed(logger, callId, name, e.Message);
        }
    }

    private async Task StartCoreAsync(IAgentEngine engine, EngineStart start, CancellationToken cancellationToken)
    {
        try
        {
            await engine.StartAsync(start, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            await post(new EngineEvent { Kind = EngineEventKind.Closed, Generation = Generation, Text = $"start failed: {e.Message}" });
        }
    }

    private void Handle(EngineEvent e, long nowMs)
    {
        switch (e.Kind)
        {
            case EngineEventKind.Ready:
                _ready = true;
                FeedFromLog();
                break;
            case EngineEventKind.SpeechStarted:
                Heard(e.ItemId).Start = e.Position;
                BargeIn(nowMs);
                break;
            case EngineEventKind.SpeechStopped:
                Heard(e.ItemId).End = e.Position;
                break;
            case EngineEventKind.UserTranscript:
                Heard(e.ItemId).Transcript = e.Text ?? "";
                break;
            case EngineEventKind.UserTranscriptFailed:
                Heard(e.ItemId).Transcript ??= "";
                break;
            case EngineEventKind.AgentAudio:
                var reply = ReplyOf(e.ItemId!);
                if (reply.FirstAudioMs < 0)
                {
                    reply.FirstAudioMs = nowMs;
                    reply.PlayStartMs = Math.Max(nowMs, _lastReply is { } last ? last.PlayStartMs + last.AudioMs : 0);
                    _lastReply = reply;
                }

                reply.AudioMs += CallClock.SamplesToMs(e.Audio!.Length);
                break;
            case EngineEventKind.AgentTranscriptDelta:
                ReplyOf(e.ItemId!).Text += e.Text;
                break;
            case EngineEventKind.AgentTranscript:
                ReplyOf(e.ItemId!).Text = e.Text ?? "";
                break;
            case EngineEventKind.ToolCall:
                _toolCallsNotRun++;
                Log.ToolNotRun(logger, callId, name, e.Name ?? "");
                _engine!.SubmitToolResult(e.CallId!, ShadowMode.NotExecutedOutput);
                break;
            case EngineEventKind.Error when e.Status == "provider-error":
                Fail($"provider error: {e.Text}", nowMs);
                break;
            case EngineEventKind.Error:
                Log.EngineError(logger, callId, name, e.Text ?? "");
                break;
            case EngineEventKind.Closed:
                Fail($"connection ended: {e.Text}", nowMs);
                break;
        }
    }

    /// <summary>A newly ready shadow hears the caller audio it missed, from the log (what the call has not yet acknowledged).</summary>
    private void FeedFromLog()
    {
        Span<byte> frame = stackalloc byte[CallClock.FrameSamples];
        if (audioLog.Start > _fedUntil)
        {
            _missedSamples += audioLog.Start - _fedUntil;
            _fedUntil = audioLog.Start;
        }

        while (_fedUntil < audioLog.End)
        {
            var n = audioLog.Read(_fedUntil, frame[..(int)Math.Min(frame.Length, audioLog.End - _fedUntil)]);
            if (n <= 0)
            {
                break;
            }

            _engine!.SendCallerAudio(_fedUntil, frame[..n]);
            _fedUntil += n;
        }
    }

    /// <summary>
    /// Nothing plays the shadow's audio, so it is timed as if it played from its arrival at real
    /// speed, one reply after the other: caller speech that starts inside that span truncates the
    /// reply there, as a barge-in would, so the shadow's own conversation stays close to the call's.
    /// </summary>
    private void BargeIn(long nowMs)
    {
        if (_lastReply is { Truncated: false } reply && nowMs >= reply.PlayStartMs && nowMs < reply.PlayStartMs + reply.AudioMs)
        {
            reply.Truncated = true;
            _engine!.TruncateAssistant(reply.ItemId, nowMs - reply.PlayStartMs);
        }
    }

    private void Fail(string reason, long nowMs)
    {
        if (_failure is not null)
        {
            return;
        }

        _failure = reason;
        _failedAtMs = nowMs;
        _ready = false;
        Log.Failed(logger, callId, name, reason);
    }

    private HeardItem Heard(string? itemId)
    {
        itemId ??= "";
        if (!_heard.TryGetValue(itemId, out var item))
        {
            item = new HeardItem();
            _heard[itemId] = item;
        }

        return item;
    }

    private Reply ReplyOf(string itemId)
    {
        if (!_replies.TryGetValue(itemId, out var reply))
        {
            reply = new Reply(itemId);
            _replies[itemId] = reply;
        }

        return reply;
    }

    /// <summary>A caller turn as the shadow's own turn detection heard it (positions on the call clock).</summary>
    private sealed class HeardItem
    {
        public long Start { get; set; } = -1;

        public long End { get; set; } = -1;

        public string? Transcript { get; set; }
    }

    /// <summary>One of the shadow's spoken items.</summary>
    private sealed class Reply(string itemId)
    {
        public string ItemId { get; } = itemId;

        public long FirstAudioMs { get; set; } = -1;

        public long PlayStartMs { get; set; }

        public long AudioMs { get; set; }

        public string Text { get; set; } = "";

        public bool Truncated { get; set; }
    }
}
