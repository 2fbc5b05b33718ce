using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using VoiceBridge.Call;
using VoiceBridge.Engines.Cascade.Llm;
using VoiceBridge.Media;

namespace VoiceBridge.Engines.Cascade;

/// <summary>
/// An agent engine made of three providers: streaming speech-to-text, a chat LLM
/// (<see cref="IChatClient"/>) and streaming text-to-speech. It owns turn detection (its own VAD),
/// keeps its own message history (seeded from the call's conversation, so a call handed over from
/// another engine carries on), speaks sentence by sentence as the LLM streams, and leaves tools to
/// the call session. A final transcript that is empty or below the confidence threshold makes the
/// agent ask the caller to repeat instead of answering the wrong thing.
/// </summary>
public sealed partial class CascadeEngine : IAgentEngine, ISpeechToTextEvents
{
    private readonly CascadeEngineOptions _options;
    private readonly Func<ISpeechToText> _sttFactory;
    private readonly IChatClient _chat;
    private readonly ITextToSpeech _tts;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly List<ChatMessage> _history = [];
    private readonly HashSet<ConversationTurn> _callerText = [];
    private readonly MuLawVad _vad;
    private readonly Action<VadEvent> _onVadEvent;
    private readonly CancellationTokenSource _lifetime = new();
    private EngineStart? _start;
    private ISpeechToText? _stt;
    private Task? _sttStarted;
    private string? _standbyLost;
    private ChatOptions? _chatOptions;
    private PendingUtterance? _pending;
    private string? _speechItem;
    private int _nextId;
    private bool _seeding;
    private bool _answerSeeded;
    private string? _seedInstruction;

    /// <summary>
    /// The instruction of a response that ended in tool calls: the answer after their results is
    /// still that response's, and keeps it; the caller speaking, or cutting the reply, ends it.
    /// </summary>
    private string? _toolRoundInstruction;

    public CascadeEngine(
        CascadeEngineOptions options,
        Func<ISpeechToText> sttFactory,
        IChatClient chat,
        ITextToSpeech tts,
        TimeProvider time,
        ILogger<CascadeEngine> logger)
    {
        _options = options;
        _sttFactory = sttFactory;
        _chat = chat;
        _tts = tts;
        _time = time;
        _logger = logger;
        _vad = new MuLawVad(options.Vad);
        _onVadEvent = OnVadEvent;
    }

    public string Name => _options.Name;

    public async Task StartAsync(EngineStart start, CancellationToken cancellationToken)
    {
        _start = start;
        _seeding = start.Seeding;
        _chatOptions = new ChatOptions { Tools = ToolTranslation.ToAITools(start.Tools) };
        lock (_gate)
        {
            _history.AddRange(ConversationMessages.From(start.Conversation));
            _callerText.UnionWith(start.Conversation.Turns.Where(t => t.Dtmf is not null));
        }

        await WarmUpAsync(cancellationToken);
        if (_standbyLost is { } lost)
        {
            throw new InvalidOperationException($"the standby's speech-to-text failed while it waited: {lost}");
        }

        Log.Started(_logger, Name, _stt!.Name, _tts.Name, _history.Count);
        await Post(EngineEventKind.Ready);
    }

    /// <summary>Starts the speech-to-text stage ahead of the start (warm standby): its socket or recogniser is ready when the call arrives.</summary>
    public Task WarmUpAsync(CancellationToken cancellationToken)
    {
        _sttStarted ??= StartSpeechToTextAsync(cancellationToken);
        return _sttStarted;
    }

    private async Task StartSpeechToTextAsync(CancellationToken cancellationToken)
    {
        _stt = _sttFactory();
        using var span = Operations.ProviderSpans.Start(Operations.ProviderSpans.SpeechToText, Name, _stt.Name);
        try
        {
            await _stt.StartAsync(this, cancellationToken);
        }
        catch (Exception e) when (Operations.ProviderSpans.Failed(span, e))
        {
            throw;
        }
    }

    public void SendCallerAudio(long position, ReadOnlySpan<byte> mulaw)
    {
        _stt?.SendAudio(mulaw);
        _vad.Process(position, mulaw, _onVadEvent);
    }

    public void SubmitToolResult(string callId, string output)
    {
        string? instruction;
        lock (_gate)
        {
            _history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(callId, output)]));
            instruction = _toolRoundInstruction;
        }

        StartResponse(instruction);
    }

    /// <summary>
    /// Keys pressed: a user message in the history (once per turn). Answered now when asked and
    /// nothing else is: not while seeding (the one response will answer it), not while an utterance
    /// is being transcribed (its answer comes with the whole history, these keys included), and
    /// never by cutting off a reply in progress.
    /// </summary>
    public void SendCallerText(ConversationTurn turn, bool respond)
    {
        bool now;
        lock (_gate)
        {
            if (_callerText.Add(turn))
            {
                _history.Add(new ChatMessage(ChatRole.User, turn.Text));
                _toolRoundInstruction = null;
            }

            now = respond && !_seeding && _pending is null && _response is null;
        }

        if (now)
        {
            StartResponse();
        }
    }

    /// <summary>Replayed audio cut at a turn's end: the utterance ends here, without waiting for the endpointing window.</summary>
    public void CommitCallerTurn() => _vad.EndUtterance(0, _onVadEvent);

    /// <summary>
    /// Answers once: now, or, when a turn heard while seeding is still being transcribed, as soon
    /// as its transcript is in the history (answering before it would leave the caller's words out).
    /// </summary>
    public void EndSeeding(bool respond, string? continueAfter = null)
    {
        var instruction = continueAfter is null ? null : Continuation.Instruction(continueAfter);
        bool now;
        lock (_gate)
        {
            _seeding = false;
            now = respond && _pending is not { Seeded: true };
            _answerSeeded = respond && !now;
            _seedInstruction = instruction;
        }

        if (now)
        {
            StartResponse(instruction);
        }
    }

    public void TruncateAssistant(string itemId, long heardMs)
    {
        lock (_gate)
        {
            if (_spoken.TryGetValue(itemId, out var spoken))
            {
                spoken.Truncate(heardMs);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _lifetime.Cancel();
        CancelResponse();
        _pending?.Timer.Dispose();
        if (_stt is not null)
        {
            await _stt.DisposeAsync();
        }

        _lifetime.Dispose();
    }

    public async ValueTask OnTranscriptAsync(SpeechTranscript transcript)
    {
        if (!transcript.IsFinal)
        {
            return;
        }

        PendingUtterance? utterance;
        lock (_gate)
        {
            utterance = _pending;
            _pending = null;
        }

        if (utterance is null)
        {
            return;
        }

        utterance.Timer.Dispose();
        var understood = !string.IsNullOrWhiteSpace(transcript.Text) && (transcript.Confidence ?? 1.0) >= _options.MinConfidence;
        Log.Transcript(_logger, Name, transcript.Text, transcript.Confidence ?? -1, understood);
        await Post(EngineEventKind.UserTranscript, utterance.ItemId, text: transcript.Text);
        if (utterance.Seeded)
        {
            AddSeededUtterance(understood ? transcript.Text : _options.UnrecognisedMarker);
            return;
        }

        AnswerUtterance(understood ? transcript.Text : _options.UnrecognisedMarker);
    }

    /// <summary>
    /// A turn heard while seeding goes into the history unanswered (automatic responses are off);
    /// it is answered only when <see cref="EndSeeding"/> asked for the response while it was being transcribed.
    /// </summary>
    private void AddSeededUtterance(string userText)
    {
        string? instruction;
        bool answer;
        lock (_gate)
        {
            _history.Add(new ChatMessage(ChatRole.User, userText));
            (answer, instruction) = (_answerSeeded, _seedInstruction);
            _answerSeeded = false;
            _seedInstruction = null;
        }

        if (answer)
        {
            StartResponse(instruction);
        }
    }

    public async ValueTask OnErrorAsync(string message, bool fatal)
    {
        Log.SttError(_logger, Name, message, fatal);
        if (fatal)
        {
            // The stage's connection is gone (or the recogniser died): the engine can hear no more,
            // as when a Realtime provider's socket is lost.
            await Post(EngineEventKind.Closed, text: $"{_stt?.Name} speech-to-text failed: {message}");
            return;
        }

        // Bad provider output (an error message, malformed or unknown messages, a failed
        // transcription) counts as the provider failing: the call session hands the call on.
        await Post(EngineEventKind.Error, text: $"{_stt?.Name} speech-to-text: {message}", status: "provider-error");
    }

    private void OnVadEvent(VadEvent vadEvent)
    {
        if (vadEvent.Kind == VadEventKind.SpeechStarted)
        {
            _speechItem = NewId("user");
            _ = Post(EngineEventKind.SpeechStarted, _speechItem, position: vadEvent.Position);

            // Barge-in: the caller talks over the reply; stop generating it.
            CancelResponse();
            return;
        }

        var itemId = _speechItem ?? NewId("user");
        _speechItem = null;
        _ = Post(EngineEventKind.SpeechStopped, itemId, position: vadEvent.Position);
        _ = Post(EngineEventKind.UserTurnCommitted, itemId);
        var timer = _time.CreateTimer(_ => _ = OnTranscriptTimeoutAsync(itemId), null, _options.TranscriptTimeout, Timeout.InfiniteTimeSpan);
        lock (_gate)
        {
            _pending?.Timer.Dispose();
            _pending = new PendingUtterance(itemId, timer, _seeding);
        }

        _stt?.EndOfUtterance();
    }

    private async Task OnTranscriptTimeoutAsync(string itemId)
    {
        lock (_gate)
        {
            if (_pending?.ItemId != itemId)
            {
                return;
            }

            _pending.Timer.Dispose();
            _pending = null;
        }

        // The speech-to-text stage gave nothing at all (not even an empty final): it has stalled.
        // Asking the caller to repeat would only ask a deaf stage again; the turn stays unanswered
        // and the call session's response-stall trigger hands the call on.
        await Post(EngineEventKind.UserTranscriptFailed, itemId, text: $"{_stt?.Name} speech-to-text gave no final transcript within {_options.TranscriptTimeout.TotalMilliseconds:0} ms; the stage has stalled");
    }

    private void AnswerUtterance(string userText)
    {
        lock (_gate)
        {
            _history.Add(new ChatMessage(ChatRole.User, userText));
            _toolRoundInstruction = null;
        }

        StartResponse();
    }

    private string NewId(string kind) => $"{Name}-g{_start?.Generation}-{kind}{Interlocked.Increment(ref _nextId)}";

    private ValueTask Post(EngineEventKind kind, string? itemId = null, string? responseId = null,
        string? text = null, string? status = null, long position = 0, byte[]? audio = null,
        string? callId = null, string? name = null, string? arguments = null)
    {
        if (_start is null)
        {
            // A warm standby's stage failed before any call used it: the start will say so.
            _standbyLost ??= text ?? kind.ToString();
            return ValueTask.CompletedTask;
        }

        return _start.Events.PostAsync(new EngineEvent
        {
            Kind = kind, Generation = _start.Generation, ItemId = itemId, ResponseId = responseId, Text = text,
            Status = status, Position = position, Audio = audio, CallId = callId, Name = name, Arguments = arguments,
        });
    }

    /// <summary>An utterance awaiting its final transcript; Seeded: heard while seeding, so not answered on its own.</summary>
    private sealed record PendingUtterance(string ItemId, ITimer Timer, bool Seeded);
}
