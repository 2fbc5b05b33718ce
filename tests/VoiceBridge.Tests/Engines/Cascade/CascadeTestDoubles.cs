using VoiceBridge.Tests.Support;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Cascade;
using VoiceBridge.Media;
using VoiceBridge.Speech;

namespace VoiceBridge.Tests.Engines.Cascade;

/// <summary>A speech-to-text stage that "recognises" each utterance as the next scripted transcript.</summary>
internal sealed class ScriptedSpeechToText(params SpeechTranscript?[] finals) : ISpeechToText
{
    private readonly Queue<SpeechTranscript?> _finals = new(finals);
    private ISpeechToTextEvents? _events;

    public string Name => "scripted-stt";

    public long AudioBytes { get; private set; }

    public Task StartAsync(ISpeechToTextEvents events, CancellationToken cancellationToken)
    {
        _events = events;
        return Task.CompletedTask;
    }

    public void SendAudio(ReadOnlySpan<byte> mulaw) => AudioBytes += mulaw.Length;

    /// <summary>A null entry means the recogniser never answers for that utterance.</summary>
    public void EndOfUtterance()
    {
        if (_finals.TryDequeue(out var final) && final is not null)
        {
            _ = _events!.OnTranscriptAsync(final);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>A chat client that records what it was asked and streams scripted answers word by word.</summary>
internal sealed class RecordingChatClient(Func<IReadOnlyList<ChatMessage>, IEnumerable<AIContent>> answer, TimeProvider? time = null, TimeSpan wordDelay = default) : IChatClient
{
    public List<List<ChatMessage>> Requests { get; } = [];

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("the cascade streams");

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var history = messages.ToList();
        Requests.Add(history);
        foreach (var content in answer(history))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            if (content is TextContent text)
            {
                foreach (var word in text.Text.Split(' '))
                {
                    if (time is not null)
                    {
                        await time.Elapse(wordDelay, cancellationToken);
                    }

                    yield return new ChatResponseUpdate(ChatRole.Assistant, word + " ");
                }
            }
            else
            {
                yield return new ChatResponseUpdate(ChatRole.Assistant, [content]);
            }
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}

/// <summary>One second of a 440 Hz tone per sentence: speech whose length the test controls.</summary>
internal sealed class ToneSynthesizer : ISpeechSynthesizer
{
    public byte[] SynthesizeMuLaw(string text)
    {
        var pcm = Signal.Tone(1000);
        var mulaw = new byte[pcm.Length];
        G711.MuLawEncode(pcm, mulaw);
        return mulaw;
    }
}

internal static class Signal
{
    public static short[] Tone(int ms) =>
        [.. Enumerable.Range(0, ms * 8).Select(i => (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / 8000.0)))];

    public static short[] Silence(int ms) => new short[ms * 8];

    public static byte[] MuLaw(params short[][] parts)
    {
        var pcm = parts.SelectMany(p => p).ToArray();
        var mulaw = new byte[pcm.Length];
        G711.MuLawEncode(pcm, mulaw);
        return mulaw;
    }
}

/// <summary>Collects engine events in order.</summary>
internal sealed class EventLog : IEngineEvents
{
    public List<EngineEvent> Events { get; } = [];

    public ValueTask PostAsync(EngineEvent engineEvent)
    {
        Events.Add(engineEvent);
        return ValueTask.CompletedTask;
    }

    public IEnumerable<EngineEvent> Of(EngineEventKind kind) => Events.Where(e => e.Kind == kind);
}
