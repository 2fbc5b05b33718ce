using VoiceBridge.Tests.Support;
using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Engines.Cascade.Remote;
using VoiceBridge.Simulator;
using VoiceBridge.Simulator.Cascade;
using VoiceBridge.Transport;

namespace VoiceBridge.Tests.Engines.Cascade.Remote;

/// <summary>
/// The Deepgram client and simulator on one fake clock over in-memory WebSockets (the replay
/// harness's virtual-time loop): caller audio paced at 20 ms, KeepAlive counted exactly, timeouts
/// measured on virtual time.
/// </summary>
public sealed class DeepgramVirtualTimeTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Utterance_gives_interims_then_one_final_and_idle_time_gets_keepalives()
    {
        var (entries, keepAlivesSent, session) = VirtualTimeLoop.Run(_time, Step, Limit, async () =>
        {
            var network = new InMemoryNetwork();
            var simulator = new CascadeSimulator(new CascadeSimulatorOptions(), _time, NullLoggerFactory.Instance);
            simulator.Control.AddTranscriptHints([FixtureSpeech.BookingFirstUtterance]);
            network.Listen("deepgram.sim", simulator.Deepgram.HandleAsync);
            var stt = NewClient(network, "ws://deepgram.sim");
            var events = new SttRecorder();
            await stt.StartAsync(events, CancellationToken.None);
            foreach (var frame in FixtureSpeech.BookingFrames(3.6))
            {
                stt.SendAudio(frame);
                await _time.Elapse(TimeSpan.FromMilliseconds(20));
            }

            stt.EndOfUtterance();
            await events.FinalAsync(_time);
            await _time.Elapse(TimeSpan.FromSeconds(10));
            var sent = stt.KeepAlivesSent;
            await stt.DisposeAsync();
            return (events.Log.Snapshot(), sent, simulator.Control.Sessions.Single());
        });

        Assert.DoesNotContain(entries, e => e.Error is not null);
        var final = Assert.Single(entries, e => e.Transcript!.IsFinal);
        Assert.Equal(FixtureSpeech.BookingFirstUtterance, final.Transcript!.Text);
        Assert.Equal(0.98, final.Transcript.Confidence);
        var interims = entries.TakeWhile(e => !e.Transcript!.IsFinal).ToList();
        Assert.True(interims.Count >= 2, $"interims before the final: {interims.Count}");
        Assert.All(interims, i => Assert.StartsWith(i.Transcript!.Text, FixtureSpeech.BookingFirstUtterance, StringComparison.Ordinal));

        // Audio until 3.6 s, then idle until about 13.65 s: the ticks at 9 s and 12 s saw no audio.
        Assert.Equal(2, keepAlivesSent);
        Assert.Equal(2, session.KeepAlives);
        Assert.Equal(180 * 160, session.ReceivedAudioBytes);
    }

    [Fact]
    public void Simulator_closes_an_idle_stream_with_net_0001_after_ten_seconds()
    {
        var (status, description, waited) = VirtualTimeLoop.Run(_time, Step, Limit, async () =>
        {
            var network = new InMemoryNetwork();
            var simulator = new CascadeSimulator(new CascadeSimulatorOptions(), _time, NullLoggerFactory.Instance);
            network.Listen("deepgram.sim", simulator.Deepgram.HandleAsync);
            using var socket = await network.ConnectAsync(new Uri("ws://deepgram.sim/v1/listen?encoding=mulaw&sample_rate=8000"), new Dictionary<string, string>(), CancellationToken.None);
            var start = _time.GetTimestamp();
            var result = await socket.ReceiveAsync(new byte[1024], CancellationToken.None);
            Assert.Equal(WebSocketMessageType.Close, result.MessageType);
            return (socket.CloseStatus, socket.CloseStatusDescription, _time.GetElapsedTime(start));
        });

        Assert.Equal(WebSocketCloseStatus.InternalServerError, status);
        Assert.StartsWith("NET-0001", description, StringComparison.Ordinal);
        Assert.InRange(waited, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10.1));
    }

    [Fact]
    public void Without_a_from_finalize_answer_the_final_comes_after_the_finalize_timeout()
    {
        var (entries, waited) = VirtualTimeLoop.Run(_time, Step, Limit, async () =>
        {
            var network = new InMemoryNetwork();
            network.Listen("silent.finalize", NeverAnswersFinalizeAsync);
            var stt = NewClient(network, "ws://silent.finalize");
            var events = new SttRecorder();
            await stt.StartAsync(events, CancellationToken.None);
            stt.SendAudio(new byte[160]);
            await events.Log.WaitAsync(e => e.Transcript is not null, "the is_final segment", _time);
            var start = _time.GetTimestamp();
            stt.EndOfUtterance();
            await events.FinalAsync(_time);
            var elapsed = _time.GetElapsedTime(start);
            await stt.DisposeAsync();
            return (events.Log.Snapshot(), elapsed);
        });

        Assert.Equal(["interim 'Tomorrow afternoon,'", "final 'Tomorrow afternoon,'"], entries.Select(e => e.ToString()));
        Assert.InRange(waited, TimeSpan.FromMilliseconds(1500), TimeSpan.FromMilliseconds(1510));
    }

    [Fact]
    public void Simulator_fault_drops_the_stream_and_the_client_reports_it_fatal()
    {
        var entries = VirtualTimeLoop.Run(_time, Step, Limit, async () =>
        {
            var network = new InMemoryNetwork();
            var simulator = new CascadeSimulator(new CascadeSimulatorOptions(), _time, NullLoggerFactory.Instance);
            simulator.Control.AddTranscriptHints([FixtureSpeech.BookingFirstUtterance]);
            simulator.Faults.DropAfterMessages = 2;
            network.Listen("deepgram.sim", simulator.Deepgram.HandleAsync);
            var stt = NewClient(network, "ws://deepgram.sim");
            var events = new SttRecorder();
            await stt.StartAsync(events, CancellationToken.None);
            foreach (var frame in FixtureSpeech.BookingFrames(3.6))
            {
                stt.SendAudio(frame);
                await _time.Elapse(TimeSpan.FromMilliseconds(20));
            }

            await events.Log.WaitAsync(e => e.Fatal, "fatal error", _time);
            await stt.DisposeAsync();
            return events.Log.Snapshot();
        });

        Assert.Equal(2, entries.Count(e => e.Transcript is { IsFinal: false }));
        var fatal = Assert.Single(entries, e => e.Error is not null);
        Assert.True(fatal.Fatal);
        Assert.StartsWith("deepgram: connection ended: socket failed", fatal.Error, StringComparison.Ordinal);
    }

    /// <summary>Answers the first audio with one is_final segment and ignores Finalize; closes when told.</summary>
    private static async Task NeverAnswersFinalizeAsync(WebSocket socket, WebSocketRequest request)
    {
        var buffer = new byte[4096];
        var answered = false;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close
                || (result.MessageType == WebSocketMessageType.Text && Encoding.UTF8.GetString(buffer, 0, result.Count).Contains("CloseStream", StringComparison.Ordinal)))
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                return;
            }

            if (result.MessageType == WebSocketMessageType.Binary && !answered)
            {
                answered = true;
                var json = """{"type":"Results","channel_index":[0,1],"duration":1.0,"start":0.0,"is_final":true,"speech_final":true,"channel":{"alternatives":[{"transcript":"Tomorrow afternoon,","confidence":0.9,"words":[]}]},"metadata":{"request_id":"r"},"from_finalize":false}""";
                await socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);
            }
        }
    }

    private DeepgramSpeechToText NewClient(InMemoryNetwork network, string baseUrl) =>
        new(new DeepgramOptions { BaseUrl = new Uri(baseUrl), Simulated = true }, network, _time, NullLogger<DeepgramSpeechToText>.Instance);
}
