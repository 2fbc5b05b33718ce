using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Cascade;
using VoiceBridge.Engines.Cascade.Llm;
using VoiceBridge.Media;
using VoiceBridge.Simulator;
using VoiceBridge.Transport;

namespace VoiceBridge.Faults;

/// <summary>
/// Fault injection for the in-process local stages (pocketsphinx, the scripted dialog, espeak-ng):
/// they have no wire to fail on, so each is wrapped in a decorator that fails the way a provider
/// of that stage does, reported through the same interface a failing remote stage uses (a
/// refused start, a fatal or non-fatal speech-to-text error, a <see cref="ChatProviderException"/>,
/// a <see cref="TextToSpeechException"/>, or silence). When each fault is due is the
/// <see cref="FaultPlan"/>'s to say, as for the simulated providers. Stages of remote providers
/// are left alone: their simulators carry their faults out on the wire.
/// </summary>
public sealed class LocalStageFaults(IReadOnlyDictionary<(string Engine, FaultStage Stage), FaultPlan> plans, TimeProvider time) : ICascadeStageWrapper
{
    /// <summary>The providers that run in process.</summary>
    public static bool IsLocal(string? provider) => provider is "pocketsphinx" or "scripted" or "espeak";

    ISpeechToText ICascadeStageWrapper.SpeechToText(EngineSpec engine, ISpeechToText stage) =>
        IsLocal(engine.Stt) && plans.TryGetValue((engine.Name, FaultStage.Stt), out var plan) ? new FaultySpeechToText(stage, plan, time) : stage;

    IChatClient ICascadeStageWrapper.Chat(EngineSpec engine, IChatClient stage) =>
        IsLocal(engine.Llm) && plans.TryGetValue((engine.Name, FaultStage.Llm), out var plan) ? new FaultyChatClient(stage, engine.Llm!, plan, time) : stage;

    ITextToSpeech ICascadeStageWrapper.TextToSpeech(EngineSpec engine, ITextToSpeech stage) =>
        IsLocal(engine.Tts) && plans.TryGetValue((engine.Name, FaultStage.Tts), out var plan) ? new FaultyTextToSpeech(stage, plan, time) : stage;

    /// <summary>
    /// The planned fault of a response whose first words (or audio) are going out: a slow one waits
    /// here and is spent, a stall or an error at the first words is carried out now by
    /// <paramref name="execute"/>; the fault is returned to strike later in the response, or null.
    /// </summary>
    internal static async Task<FaultSpec?> OnFirstWordsAsync(FaultPlan plan, TimeProvider time, Func<FaultSpec, CancellationToken, Task> execute, CancellationToken cancellationToken)
    {
        var fault = plan.OnResponse();
        switch (fault)
        {
            case { Kind: FaultKind.Slow }:
                plan.Strike(fault);
                await Task.Delay(TimeSpan.FromMilliseconds(fault.SlowMs), time, cancellationToken);
                return null;
            case { Kind: FaultKind.StallResponse }:
            case { Kind: FaultKind.Error or FaultKind.RateLimit, When.Point: TurnPoint.First }:
                await execute(fault, cancellationToken);
                break;
        }

        return fault;
    }

    /// <summary>Waits until cancelled: a stage that has gone silent (the engine's disposal ends it).</summary>
    internal static async Task HangAsync(TimeProvider time, CancellationToken cancellationToken) =>
        await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken);
}

/// <summary>
/// A speech-to-text stage that fails as planned. <c>userN</c> counts the utterances it hears (its
/// own VAD, as a provider's); <c>turnN</c> counts the final transcripts it delivers: a fault
/// strikes instead of the Nth, or just after it (<c>@done</c>).
/// </summary>
internal sealed class FaultySpeechToText(ISpeechToText inner, FaultPlan plan, TimeProvider time) : ISpeechToText, ISpeechToTextEvents
{
    private readonly MuLawVad _vad = new(new CascadeEngineOptions().Vad);
    private readonly CancellationTokenSource _lifetime = new();
    private ISpeechToTextEvents? _events;
    private FaultSpec? _utteranceFault;
    private long _position;
    private bool _dead;
    private bool _deaf;

    public string Name => inner.Name;

    public async Task StartAsync(ISpeechToTextEvents events, CancellationToken cancellationToken)
    {
        if (plan.Admit() is { } refused)
        {
            throw new ConnectFailedException(new Uri($"local://{inner.Name}"), refused.Status,
                refused.Status is { } status ? $"the local {inner.Name} refused to start with {status} (simulated fault)" : $"the local {inner.Name} refused to start (simulated fault)");
        }

        _events = events;
        foreach (var fault in plan.Timed())
        {
            _ = StrikeLaterAsync(fault, TimeSpan.FromSeconds(fault.When.N));
        }

        await inner.StartAsync(this, cancellationToken);
    }

    public void SendAudio(ReadOnlySpan<byte> mulaw)
    {
        if (_dead || _deaf)
        {
            return;
        }

        _vad.Process(_position, mulaw, OnVadEvent);
        _position += mulaw.Length;
        inner.SendAudio(mulaw);
    }

    public void EndOfUtterance()
    {
        if (!_dead && !_deaf)
        {
            inner.EndOfUtterance();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _lifetime.Cancel();
        await inner.DisposeAsync();
        _lifetime.Dispose();
    }

    public async ValueTask OnTranscriptAsync(SpeechTranscript transcript)
    {
        if (_dead || _deaf || _events is null)
        {
            return;
        }

        if (!transcript.IsFinal)
        {
            await _events.OnTranscriptAsync(transcript);
            return;
        }

        var fault = _utteranceFault ?? plan.OnResponse();
        _utteranceFault = null;
        switch (fault)
        {
            case { Kind: FaultKind.EmptyTranscript }:
                plan.Strike(fault);
                transcript = transcript with { Text = "" };
                fault = null;
                break;
            case { Kind: FaultKind.StallResponse }:
                plan.Strike(fault);
                return;
            case { When.Point: not TurnPoint.Done }:
                await ExecuteAsync(fault);
                return;
        }

        await _events.OnTranscriptAsync(transcript);
        if (fault is not null)
        {
            await ExecuteAsync(fault);
        }
    }

    public ValueTask OnErrorAsync(string message, bool fatal) =>
        _dead || _events is null ? ValueTask.CompletedTask : _events.OnErrorAsync(message, fatal);

    private void OnVadEvent(VadEvent vadEvent)
    {
        if (vadEvent.Kind != VadEventKind.SpeechStarted || plan.OnUtterance() is not { } fault)
        {
            return;
        }

        if (fault.Kind is FaultKind.EmptyTranscript or FaultKind.StallResponse)
        {
            _utteranceFault = fault;
        }
        else
        {
            _ = StrikeLaterAsync(fault, TimeSpan.FromMilliseconds(fault.When.OffsetMs));
        }
    }

    private async Task StrikeLaterAsync(FaultSpec fault, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, time, _lifetime.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        await ExecuteAsync(fault);
    }

    /// <summary>Fails as a recogniser does: it dies (fatal), goes deaf and mute, or reports an error.</summary>
    private async ValueTask ExecuteAsync(FaultSpec fault)
    {
        if (_dead || _deaf || _events is null)
        {
            return;
        }

        plan.Strike(fault);
        switch (fault.Kind)
        {
            case FaultKind.Close:
                _dead = true;
                await _events.OnErrorAsync($"{inner.Name}: the recogniser stopped (simulated fault)", fatal: true);
                break;
            case FaultKind.Blackhole:
                _deaf = true;
                break;
            case FaultKind.Error:
                await _events.OnErrorAsync($"{inner.Name}: the recogniser failed (simulated fault)", fatal: false);
                break;
            case FaultKind.RateLimit:
                await _events.OnErrorAsync($"{inner.Name}: rate_limit_exceeded (simulated fault)", fatal: false);
                break;
        }
    }
}

/// <summary>
/// A chat LLM stage that fails as planned. Every request is a connection (connection faults);
/// <c>turnN</c> counts the replies with words (the agent's spoken responses): a fault strikes at
/// the first words, MS into the stream, or after the last words (<c>@done</c>).
/// </summary>
internal sealed class FaultyChatClient(IChatClient inner, string provider, FaultPlan plan, TimeProvider time) : DelegatingChatClient(inner)
{
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (plan.Admit() is { } refused)
        {
            throw refused.Status is { } status
                ? Failure(status == 429 ? ChatFailure.RateLimited : ChatFailure.Unavailable, $"HTTP {status} (simulated fault)", status)
                : Failure(ChatFailure.Unavailable, "connection refused (simulated fault)", null);
        }

        FaultSpec? fault = null;
        long? firstAt = null;
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
        {
            var firstWords = firstAt is null && !string.IsNullOrEmpty(update.Text);
            if (firstWords)
            {
                firstAt = time.GetTimestamp();
                fault = await LocalStageFaults.OnFirstWordsAsync(plan, time, ExecuteAsync, cancellationToken);
            }

            yield return update;
            if (fault is { When.Point: not TurnPoint.Done } && firstAt is { } start
                && FaultPlan.DueAt(fault, firstWords, (long)time.GetElapsedTime(start).TotalMilliseconds))
            {
                var due = fault;
                fault = null;
                await ExecuteAsync(due, cancellationToken);
            }
        }

        // After the last words (@done); an offset the reply was too short to reach strikes here too.
        if (fault is not null)
        {
            await ExecuteAsync(fault, cancellationToken);
        }
    }

    /// <summary>Fails as a chat provider does: the stream breaks, an error, or silence.</summary>
    private async Task ExecuteAsync(FaultSpec fault, CancellationToken cancellationToken)
    {
        plan.Strike(fault);
        switch (fault.Kind)
        {
            case FaultKind.Close:
                throw Failure(ChatFailure.ConnectionLost, "the stream broke off (simulated fault)", null);
            case FaultKind.Error:
                throw Failure(ChatFailure.Unavailable, "the provider sent an error (simulated fault)", null);
            case FaultKind.RateLimit:
                throw Failure(ChatFailure.RateLimited, "rate_limit_exceeded (simulated fault)", 429);
            default:
                await LocalStageFaults.HangAsync(time, cancellationToken);
                break;
        }
    }

    private ChatProviderException Failure(ChatFailure failure, string message, int? status) =>
        new(provider, failure, message) { StatusCode = status, RetryAfter = status == 429 ? TimeSpan.FromSeconds(FaultPlan.RetryAfterSeconds) : null };
}

/// <summary>
/// A text-to-speech stage that fails as planned. Every response's speech is a connection
/// (connection faults); <c>turnN</c> counts the responses that make audio: a fault strikes after
/// the first chunk, MS into the audio, or after the last chunk (<c>@done</c>).
/// </summary>
internal sealed class FaultyTextToSpeech(ITextToSpeech inner, FaultPlan plan, TimeProvider time) : ITextToSpeech
{
    public string Name => inner.Name;

    public async IAsyncEnumerable<byte[]> SpeakAsync(IAsyncEnumerable<string> text, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (plan.Admit() is { } refused)
        {
            throw new TextToSpeechException(refused.Status is { } status
                ? $"{inner.Name}: refused with {status} (simulated fault)"
                : $"{inner.Name}: refused (simulated fault)")
            {
                StatusCode = refused.Status,
            };
        }

        FaultSpec? fault = null;
        long sent = 0;
        var first = true;
        await foreach (var chunk in inner.SpeakAsync(text, cancellationToken))
        {
            if (first)
            {
                fault = await LocalStageFaults.OnFirstWordsAsync(plan, time, ExecuteAsync, cancellationToken);
            }

            yield return chunk;
            sent += chunk.Length;
            if (fault is { When.Point: not TurnPoint.Done } && FaultPlan.DueAt(fault, first, CallClock.SamplesToMs(sent)))
            {
                var due = fault;
                fault = null;
                await ExecuteAsync(due, cancellationToken);
            }

            first = false;
        }

        if (fault is not null)
        {
            await ExecuteAsync(fault, cancellationToken);
        }
    }

    /// <summary>Fails as a TTS provider does: the stream breaks, an error, or silence.</summary>
    private async Task ExecuteAsync(FaultSpec fault, CancellationToken cancellationToken)
    {
        plan.Strike(fault);
        switch (fault.Kind)
        {
            case FaultKind.Close:
                throw new TextToSpeechException($"{inner.Name}: the synthesizer stopped mid-speech (simulated fault)") { ConnectionLost = true };
            case FaultKind.Error:
                throw new TextToSpeechException($"{inner.Name}: the synthesizer failed (simulated fault)");
            case FaultKind.RateLimit:
                throw new TextToSpeechException($"{inner.Name}: rate_limit_exceeded (simulated fault)") { StatusCode = 429 };
            default:
                await LocalStageFaults.HangAsync(time, cancellationToken);
                break;
        }
    }
}
