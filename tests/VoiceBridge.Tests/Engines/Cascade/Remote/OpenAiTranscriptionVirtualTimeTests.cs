using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Engines.Cascade.Remote;
using VoiceBridge.Simulator;
using VoiceBridge.Tests.Support;
using VoiceBridge.Transport;

namespace VoiceBridge.Tests.Engines.Cascade.Remote;

/// <summary>
/// The OpenAI transcription client and the Realtime simulator's transcription sessions on one fake
/// clock over in-memory WebSockets, as a virtual-time replay runs them.
/// </summary>
public sealed class OpenAiTranscriptionVirtualTimeTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Paced_utterance_gives_word_interims_then_the_hint_as_one_final()
    {
        var (entries, session) = VirtualTimeLoop.Run(_time, Step, Limit, async () =>
        {
            var (network, simulator) = Simulator();
            simulator.Control.AddTranscriptHints([FixtureSpeech.BookingFirstUtterance]);
            var stt = new OpenAiTranscriptionSpeechToText(
                new OpenAiTranscriptionOptions { Endpoint = new Uri("ws://openai.sim/v1/realtime"), Simulated = true },
                network, _time, NullLogger<OpenAiTranscriptionSpeechToText>.Instance);
            var events = new SttRecorder();
            await stt.StartAsync(events, CancellationToken.None);
            foreach (var frame in FixtureSpeech.BookingFrames(3.6))
            {
                stt.SendAudio(frame);
                await _time.Elapse(TimeSpan.FromMilliseconds(20));
            }

            stt.EndOfUtterance();
            await events.FinalAsync(_time);
            await stt.DisposeAsync();
            return (events.Log.Snapshot(), simulator.Control.Sessions.Single());
        });

        var words = FixtureSpeech.BookingFirstUtterance.Split(' ');
        Assert.Equal(words.Length + 1, entries.Count);
        Assert.Equal(string.Join(' ', words[..3]), entries[2].Transcript!.Text);
        Assert.Equal($"final '{FixtureSpeech.BookingFirstUtterance}'", entries[^1].ToString());
        Assert.Equal(180 * 160, session.ReceivedAudioBytes);
        Assert.Equal(0, session.Responses);
    }

    [Fact]
    public void Simulator_fixes_the_session_type_at_connect_and_creates_no_responses_in_a_transcription_session()
    {
        var (created, responseError, changeError) = VirtualTimeLoop.Run(_time, Step, Limit, async () =>
        {
            var (network, _) = Simulator();
            using var transcription = await ConnectAsync(network, "?intent=transcription");
            var created = await ReceiveAsync(transcription);
            await SendAsync(transcription, """{"type":"response.create"}""");
            var responseError = await ReceiveAsync(transcription);

            using var realtime = await ConnectAsync(network, "?model=gpt-realtime");
            await ReceiveAsync(realtime);
            await SendAsync(realtime, """{"type":"session.update","session":{"type":"transcription"}}""");
            return (created, responseError, await ReceiveAsync(realtime));
        });

        Assert.Equal("transcription", created.GetProperty("session").GetProperty("type").GetString());
        Assert.Equal("realtime.transcription_session", created.GetProperty("session").GetProperty("object").GetString());
        Assert.Equal("response.create is not supported in a transcription session", responseError.GetProperty("error").GetProperty("message").GetString());
        Assert.StartsWith("session.type cannot change from 'realtime' to 'transcription'",
            changeError.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private (InMemoryNetwork, RealtimeSimulator) Simulator()
    {
        var network = new InMemoryNetwork();
        var simulator = new RealtimeSimulator(new SimulatorOptions(), _time, NullLogger<RealtimeSimulator>.Instance);
        network.Listen("openai.sim", simulator.HandleAsync);
        return (network, simulator);
    }

    private static Task<WebSocket> ConnectAsync(InMemoryNetwork network, string query) =>
        network.ConnectAsync(new Uri("ws://openai.sim/v1/realtime" + query), new Dictionary<string, string>(), CancellationToken.None);

    private static Task SendAsync(WebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<JsonElement> ReceiveAsync(WebSocket socket)
    {
        var buffer = new byte[16384];
        var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
        Assert.True(result.EndOfMessage);
        using var document = JsonDocument.Parse(buffer.AsMemory(0, result.Count));
        return document.RootElement.Clone();
    }
}
