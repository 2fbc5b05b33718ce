using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using VoiceBridge.Call;
using VoiceBridge.Engines.Cascade.Llm;
using VoiceBridge.Media;

namespace VoiceBridge.Engines.Cascade;

public sealed partial class CascadeEngine
{
    private readonly Dictionary<string, SpokenItem> _spoken = new(StringComparer.Ordinal);
    private ActiveResponse? _response;

    /// <summary>
    /// Starts a reply to the history as it stands; a reply still running is cancelled first.
    /// <paramref name="instruction"/>, if any, is a system message for this response only (and for
    /// the rounds after its tool calls' results: a continuation asked for holds until the reply is given).
    /// </summary>
    private void StartResponse(string? instruction = null)
    {
        ActiveResponse response;
        List<ChatMessage> history;
        lock (_gate)
        {
            _response?.Cancellation.Cancel();
            response = new ActiveResponse(NewId("resp"), NewId("agent"), CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token)) { Instruction = instruction };
            _response = response;
            history = [.. _history];
            if (instruction is not null)
            {
                history.Add(new ChatMessage(ChatRole.System, instruction));
            }
        }

        _ = RunResponseAsync(response, history);
    }

    private void CancelResponse()
    {
        lock (_gate)
        {
            _response?.Cancellation.Cancel();
            _response = null;
            _toolRoundInstruction = null;
        }
    }

    private async Task RunResponseAsync(ActiveResponse response, List<ChatMessage> history)
    {
        await Post(EngineEventKind.ResponseStarted, responseId: response.Id);
        var text = new StringBuilder();
        var calls = new List<FunctionCallContent>();
        var sentences = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var speaking = SpeakAsync(response, sentences.Reader);
        string status;
        try
        {
            await GenerateAsync(response, history, text, calls, sentences.Writer);
            await speaking;
            status = "completed";
        }
        catch (OperationCanceledException) when (response.Cancellation.IsCancellationRequested && response.SpeechFailure is null)
        {
            sentences.Writer.TryComplete();
            await Settle(speaking);
            status = "cancelled";
        }
        catch (Exception e) when (e is not OperationCanceledException || response.SpeechFailure is not null)
        {
            // Reported at once (the call session switches now); what the TTS still holds is fenced.
            // A TTS that failed while the LLM was still streaming stopped the generation (see SpeakAsync).
            var failure = response.SpeechFailure ?? e;
            sentences.Writer.TryComplete();
            Log.ResponseFailed(_logger, Name, failure.Message);
            await PostStageFailure(failure);
            await Settle(speaking);
            status = "failed";
        }

        lock (_gate)
        {
            var message = new ChatMessage(ChatRole.Assistant, [new TextContent(text.ToString()), .. calls]);
            _history.Add(message);
            _spoken[response.ItemId] = new SpokenItem(message, text.ToString(), response.AudioSamples);
            if (_response == response)
            {
                _response = null;
                _toolRoundInstruction = status == "completed" && calls.Count > 0 ? response.Instruction : null;
            }
        }

        if (response.AudioSamples > 0)
        {
            await Post(EngineEventKind.AgentAudioDone, response.ItemId, response.Id);
        }

        if (text.Length > 0)
        {
            await Post(EngineEventKind.AgentTranscript, response.ItemId, response.Id, text: text.ToString().Trim());
        }

        if (status == "completed")
        {
            foreach (var call in calls)
            {
                await Post(EngineEventKind.ToolCall, response.ItemId, response.Id, callId: call.CallId, name: call.Name,
                    arguments: JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>()));
            }
        }

        await Post(EngineEventKind.ResponseDone, responseId: response.Id, status: status);
    }

    /// <summary>Streams the LLM's reply: text into sentences for TTS, function calls kept for the call session.</summary>
    private async Task GenerateAsync(ActiveResponse response, List<ChatMessage> history, StringBuilder text,
        List<FunctionCallContent> calls, ChannelWriter<string> sentences)
    {
        var splitter = new SentenceSplitter();
        using var span = Operations.ProviderSpans.Start(Operations.ProviderSpans.Llm, Name, _chat.GetType().Name);
        try
        {
            await foreach (var update in _chat.GetStreamingResponseAsync(history, _chatOptions, response.Cancellation.Token))
            {
                foreach (var content in update.Contents)
                {
                    if (content is TextContent { Text: { Length: > 0 } chunk })
                    {
                        text.Append(chunk);
                        foreach (var sentence in splitter.Add(chunk))
                        {
                            sentences.TryWrite(sentence);
                        }
                    }
                    else if (content is FunctionCallContent call)
                    {
                        calls.Add(call);
                    }
                }
            }
        }
        catch (Exception e) when (Operations.ProviderSpans.Failed(span, e))
        {
            throw;
        }

        if (splitter.Flush() is { } rest)
        {
            sentences.TryWrite(rest);
        }

        sentences.TryComplete();
    }

    /// <summary>
    /// Speaks the sentences as they come. The words of the sentences given to the TTS are posted as
    /// transcript deltas when audio comes for them, so a reply cut off (a handoff, a stage failing
    /// mid-reply) still has the words said so far, as a Realtime provider's transcript deltas give.
    /// A TTS failure stops the generation at once, so it is reported when it happens, not when
    /// the LLM has finished.
    /// </summary>
    private async Task SpeakAsync(ActiveResponse response, ChannelReader<string> sentences)
    {
        var given = new ConcurrentQueue<string>();
        using var span = Operations.ProviderSpans.Start(Operations.ProviderSpans.TextToSpeech, Name, _tts.Name);
        try
        {
            await foreach (var audio in _tts.SpeakAsync(Given(Read(sentences, response.Cancellation.Token), given), response.Cancellation.Token))
            {
                while (given.TryDequeue(out var sentence))
                {
                    await Post(EngineEventKind.AgentTranscriptDelta, response.ItemId, response.Id, text: sentence + " ");
                }

                response.AudioSamples += audio.Length;
                await Post(EngineEventKind.AgentAudio, response.ItemId, response.Id, audio: audio);
            }
        }
        catch (TextToSpeechException e) when (!response.Cancellation.IsCancellationRequested)
        {
            Operations.ProviderSpans.Failed(span, e);
            response.SpeechFailure = e;
            response.Cancellation.Cancel();
            throw;
        }
    }

    /// <summary>The sentences as the TTS takes them, each noted in <paramref name="given"/>.</summary>
    private static async IAsyncEnumerable<string> Given(IAsyncEnumerable<string> sentences, ConcurrentQueue<string> given)
    {
        await foreach (var sentence in sentences)
        {
            given.Enqueue(sentence);
            yield return sentence;
        }
    }

    /// <summary>Reads a channel as an async sequence on the caller's context (not ReadAllAsync: see docs/architecture.md).</summary>
    private static async IAsyncEnumerable<string> Read(ChannelReader<string> reader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            while (reader.TryRead(out var item))
            {
                yield return item;
            }
        }
    }

    /// <summary>
    /// A stage failed mid-response: a connection that broke (the LLM's stream or the TTS socket)
    /// is reported as <see cref="EngineEventKind.Closed"/>, as a lost Realtime socket is; anything
    /// else the provider did (an HTTP error, a rate limit, an error event, a stall it timed out,
    /// bad output) as a provider error. Either way the call session hands the call on.
    /// </summary>
    private ValueTask PostStageFailure(Exception e)
    {
        var (stage, lost) = e switch
        {
            // A rate limit is named as the providers name theirs, so the call session tells it apart.
            ChatProviderException { Failure: ChatFailure.RateLimited } chat => ($"{chat.Provider} LLM rate_limit_exceeded", false),
            ChatProviderException chat => ($"{chat.Provider} LLM", chat.Failure == ChatFailure.ConnectionLost),
            TextToSpeechException { StatusCode: 429 } => ($"{_tts.Name} text-to-speech rate_limit_exceeded", false),
            TextToSpeechException tts => ($"{_tts.Name} text-to-speech", tts.ConnectionLost),
            _ => ($"{_chat.GetType().Name}/{_tts.Name}", false),
        };
        return lost
            ? Post(EngineEventKind.Closed, text: $"{stage}: {e.Message}")
            : Post(EngineEventKind.Error, text: $"{stage}: {e.Message}", status: "provider-error");
    }

    private static async Task Settle(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception e) when (e is OperationCanceledException or TextToSpeechException or ChannelClosedException)
        {
            // The response is over either way; its own error was already reported.
        }
    }

    private sealed class ActiveResponse(string id, string itemId, CancellationTokenSource cancellation)
    {
        public string Id { get; } = id;

        public string ItemId { get; } = itemId;

        public CancellationTokenSource Cancellation { get; } = cancellation;

        public long AudioSamples { get; set; }

        /// <summary>The system message this response was given for itself (a continuation), if any.</summary>
        public string? Instruction { get; init; }

        /// <summary>The TTS failed (and stopped the response): the failure to report.</summary>
        public TextToSpeechException? SpeechFailure { get; set; }
    }

    /// <summary>An assistant reply in the history, so a barge-in can cut it to what the caller heard.</summary>
    private sealed class SpokenItem(ChatMessage message, string text, long audioSamples)
    {
        public void Truncate(long heardMs)
        {
            var heard = HeardText.Estimate(text, heardMs, CallClock.SamplesToMs(audioSamples));
            var calls = message.Contents.OfType<FunctionCallContent>().ToList();
            message.Contents = [new TextContent(heard), .. calls];
        }
    }
}
