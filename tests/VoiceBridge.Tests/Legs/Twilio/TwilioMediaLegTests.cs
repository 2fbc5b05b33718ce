using VoiceBridge.Tests.Support;
using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;
using VoiceBridge.Call.Tools;
using VoiceBridge.Legs.Twilio;
using VoiceBridge.Media;
using VoiceBridge.Tests.Call;
using VoiceBridge.Transport;
using Xunit.Abstractions;

namespace VoiceBridge.Tests.Legs.Twilio;

/// <summary>
/// <see cref="TwilioMediaLeg"/> over an in-memory WebSocket pair carrying real frames, with a call
/// session on a scripted engine, all on one fake clock under <see cref="VirtualTimeLoop"/>. The test
/// side plays Twilio with <see cref="TwilioCarrierWriter"/> and reads what the bridge sends.
/// </summary>
public sealed partial class TwilioMediaLegTests(ITestOutputHelper output)
{
    private const string StreamSid = "MZ18ad3ab5a668481ce02b83e7395059f0";
    private const string CallSid = "CA0e6b1c5ad9f2d4e8b7a1c3d5e7f9a1b3";
    private const string AccountSid = "AC25e16e9a716a4a1786a7c83f58e30482";
    private const string AgentText = "We are open from eight until six on weekdays and on Saturday mornings";

    [Fact]
    public void Bad_messages_are_counted_logged_and_reported_and_the_call_goes_on()
    {
        var h = new LegHarness(output);
        var audio = TestAudio.Pattern(5 * CallClock.FrameSamples, seed: 3);

        var summary = h.Run(async carrier =>
        {
            carrier.SendConnected();
            carrier.SendStart();
            await h.Engine.Started;
            await h.Engine.Ready();

            carrier.SendRaw("""{"event":"media","sequenceNumber":"2","media":{"payl""");
            carrier.SendRaw($$"""{"event":"transcription","sequenceNumber":"3","streamSid":"{{StreamSid}}"}""");
            carrier.SendRaw($$$"""{"event":"media","sequenceNumber":"4","streamSid":"{{{StreamSid}}}","media":{"track":"inbound","chunk":"1","timestamp":"0","payload":"@@not base64@@"}}""");
            carrier.SendStart(); // a second start on the same stream
            carrier.SendRaw($$$"""{"event":"media","sequenceNumber":"6","streamSid":"MZ0000000000000000000000000000other","media":{"track":"inbound","chunk":"2","timestamp":"20","payload":"EBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEA=="}}""");
            await h.At(5);
            Assert.Equal((2L, 1L, 1L), (h.Counters.MalformedMessages, h.Counters.UnknownEvents, h.Counters.OutOfOrderMessages));

            await carrier.FeedAsync(audio, startMs: 5);
            await h.At(200);
            carrier.SendStop();
            await carrier.CloseAsync();
            return await h.Registry.WhenEnded(CallSid);
        });

        Assert.Equal(audio, h.Engine.CallerBytes());
        Assert.Equal(audio.Length, h.Engine.AssertContiguousFrom(0));
        Assert.Equal(100, summary.CallerAudioMs);
        Assert.Equal(5, summary.Errors.Count);
        Assert.All(summary.Errors, e => Assert.StartsWith("twilio: ", e, StringComparison.Ordinal));
        Assert.Contains(summary.Errors, e => e.Contains("transcription", StringComparison.Ordinal));
        Assert.Contains(summary.Errors, e => e.Contains("base64", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(summary.Errors, e => e.Contains("second start", StringComparison.Ordinal));
        Assert.Contains(summary.Errors, e => e.Contains("media for stream MZ0000000000000000000000000000other on stream", StringComparison.Ordinal));
        // Logged once each, by the call (with its id), not again by the leg.
        Assert.Equal(5, h.Logger.Entries.Count(e => e.Level == LogLevel.Warning && e.Message.Contains("bad message", StringComparison.Ordinal)));
        Assert.Equal(5, h.Logger.Entries.Count(e => e.Message.StartsWith($"call {CallSid}: bad message from the caller leg", StringComparison.Ordinal)));
    }

    [Fact]
    public void Media_before_start_is_counted_logged_skipped_and_later_media_reaches_the_call()
    {
        var h = new LegHarness(output);
        var early = TestAudio.Pattern(2 * CallClock.FrameSamples, seed: 1);
        var audio = TestAudio.Pattern(3 * CallClock.FrameSamples, seed: 2);

        var summary = h.Run(async carrier =>
        {
            carrier.SendConnected();
            await carrier.FeedAsync(early);
            carrier.SendDtmf("1");
            await h.At(45);
            Assert.Null(h.Session);

            carrier.SendStart();
            await h.Engine.Started;
            await h.Engine.Ready();
            await carrier.FeedAsync(audio, startMs: 45);
            await h.At(120);
            carrier.SendStop();
            await carrier.CloseAsync();
            return await h.Registry.WhenEnded(CallSid);
        });

        Assert.Equal(audio, h.Engine.CallerBytes());
        Assert.Equal(audio.Length, h.Engine.AssertContiguousFrom(0));
        Assert.Equal(60, summary.CallerAudioMs);
        Assert.Equal(3, h.Counters.OutOfOrderMessages);
        Assert.Equal((0L, 0L), (h.Counters.MalformedMessages, h.Counters.UnknownEvents));
        Assert.Equal(2, h.Logger.Entries.Count(e => e.Level == LogLevel.Warning && e.Message.StartsWith("twilio stream", StringComparison.Ordinal) && e.Message.Contains("media before start", StringComparison.Ordinal)));
        Assert.DoesNotContain(h.Logger.Entries, e => e.Message.Contains("bad message from the caller leg", StringComparison.Ordinal)); // not logged twice
        Assert.Equal(2, summary.Errors.Count(e => e.Contains("media before start", StringComparison.Ordinal)));
        Assert.Contains(summary.Errors, e => e.Contains("dtmf before start", StringComparison.Ordinal));
    }

    [Fact]
    public void Stop_ends_the_call_and_the_registry_completes_with_its_summary()
    {
        var h = new LegHarness(output);
        var audio = TestAudio.Pattern(10 * CallClock.FrameSamples);
        Task<CallSummary>? whenEnded = null;

        var summary = h.Run(async carrier =>
        {
            whenEnded = h.Registry.WhenEnded(CallSid);
            carrier.SendConnected();
            carrier.SendStart();
            await h.Engine.Started;
            Assert.Same(h.Session, Assert.Single(h.Registry.Live));
            await h.Engine.Ready();
            await carrier.FeedAsync(audio);
            carrier.SendDtmf("5");
            await h.At(250);
            Assert.False(h.Engine.Disposed);

            carrier.SendStop();
            await h.At(260);
            Assert.True(h.Engine.Disposed); // the call is over: the engine is let go

            await carrier.CloseAsync();
            return await whenEnded;
        });

        Assert.True(whenEnded!.IsCompletedSuccessfully);
        Assert.Same(summary, h.LegResult);
        Assert.Equal((CallSid, "twilio"), (summary.CallId, summary.Leg));
        Assert.Equal(200, summary.CallerAudioMs);
        Assert.Equal(250, summary.DurationMs);
        Assert.Empty(summary.Errors);
        Assert.Equal("Twilio stopped the stream", summary.EndReason);
        Assert.Empty(h.Registry.Live);
        Assert.True(h.CarrierEnd!.ClosedByPeer); // the bridge closed its side too
        Assert.Contains(h.Logger.Entries, e => e.Message.Contains("DTMF 5", StringComparison.Ordinal));
    }

    [Fact]
    public void Agent_audio_goes_out_as_160_byte_media_with_marks_and_a_barge_in_sends_clear()
    {
        var h = new LegHarness(output);
        var agent = TestAudio.Pattern(2 * CallClock.SampleRate, seed: 9);
        int framesAtEcho = 0;

        var summary = h.Run(async carrier =>
        {
            carrier.SendConnected();
            carrier.SendStart();
            await h.Engine.Started;
            await h.Engine.Ready();
            var feed = carrier.FeedAsync(TestAudio.Silence(1000));

            await h.At(205);
            await h.Engine.AgentAudio("a1", agent);
            await h.Engine.AgentAudioDone("a1");
            await h.Engine.AgentTranscript("a1", AgentText);
            await h.Engine.ResponseDone("r1");

            // Twilio reports the marks of what it has played (here: everything received by then).
            await h.At(705);
            framesAtEcho = carrier.Media.Count;
            foreach (var mark in carrier.Marks)
            {
                carrier.SendMark(mark);
            }

            await h.At(715);
            await h.Engine.SpeechStarted("u1", 5600);
            await h.At(800);
            await feed;
            await h.At(1100);
            carrier.SendStop();
            await carrier.CloseAsync();
            return await h.Registry.WhenEnded(CallSid);
        });

        var received = h.Carrier!.Received;
        Assert.All(received, m => Assert.Equal(StreamSid, m.StreamSid));
        var media = h.Carrier.Media;
        Assert.Equal(27, framesAtEcho); // 3 lead frames at 220 ms, then one per 20 ms to 700 ms
        Assert.Equal(27, media.Count);  // none after the clear
        Assert.All(media, f => Assert.Equal(CallClock.FrameSamples, f.Length));
        Assert.Equal(agent[..(27 * CallClock.FrameSamples)], media.SelectMany(f => f).ToArray());

        // Marks every 5 frames, after the audio they follow; then the clear, last.
        Assert.Equal(["g1-800", "g1-1600", "g1-2400", "g1-3200", "g1-4000"], h.Carrier.Marks);
        var markIndexes = received.Select((m, i) => (m, i)).Where(x => x.m.Kind == TwilioOutboundKind.Mark).Select(x => received.Take(x.i).Count(r => r.Kind == TwilioOutboundKind.Media));
        Assert.Equal([5, 10, 15, 20, 25], markIndexes);
        Assert.Equal(TwilioOutboundKind.Clear, received[^1].Kind);
        Assert.Single(received, m => m.Kind == TwilioOutboundKind.Clear);

        Assert.Equal([("a1", 500L)], h.Engine.Truncations);
        var assistant = summary.Turns.Single(t => t.Role == TurnRole.Assistant);
        Assert.True(assistant.Interrupted);
        Assert.Equal(500, assistant.HeardAudioMs);
        CallSessionTurnTests.AssertHeardPrefix(AgentText, assistant.HeardText, maxWords: 13 * 500 / 2000);
        Assert.Equal(media.Count, summary.OutboundFrames);
    }

    /// <summary>The bridge side: a TwilioMediaLeg per connection, sessions on a scripted engine.</summary>
    private sealed class LegHarness(ITestOutputHelper output)
    {
        private readonly DateTimeOffset _t0 = new(2026, 1, 1, 9, 0, 0, TimeSpan.Zero);

        public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero));

        public CallRegistry Registry { get; } = new();

        public TwilioCounters Counters { get; } = new();

        public ScriptedEngine Engine { get; } = new();

        public RecordingLogger Logger { get; } = new(output);

        public CallSession? Session { get; private set; }

        public CallSummary? LegResult { get; private set; }

        public bool LegCompleted { get; private set; }

        public Carrier? Carrier { get; private set; }

        public SocketEnd? CarrierEnd => Carrier?.End;

        public CallSummary Run(Func<Carrier, Task<CallSummary>> script) =>
            VirtualTimeLoop.Run(Time, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1), async () =>
            {
                var network = new InMemoryNetwork();
                network.Listen("bridge.invalid", async (ws, request) =>
                {
                    var leg = new TwilioMediaLeg(
                        new MessageSocket(ws, 1024, TwilioMediaLeg.MaxMessageBytes),
                        (callId, legOutput) => Session = new CallSession(
                            callId, "twilio", legOutput, () => Engine, new ToolRegistry([new CheckAvailabilityTool()]), new CallSessionOptions { Playout = new PlayoutOptions { LeadFrames = 3 } }, Time, Logger),
                        Registry,
                        Counters,
                        Logger)
                    {
                        Time = Time,
                    };
                    LegResult = await leg.RunAsync(CancellationToken.None);
                    LegCompleted = true;
                });
                var socket = await network.ConnectAsync(new Uri("ws://bridge.invalid/twilio/media"), new Dictionary<string, string>(), CancellationToken.None);
                Carrier = new Carrier(socket, this);
                var summary = await script(Carrier);
                await Task.WhenAll(network.ServerTasks);
                await Carrier.DisposeAsync();
                return summary;
            });

        public async Task At(long ms)
        {
            var wait = _t0.AddMilliseconds(ms) - Time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Time.Elapse(wait);
            }
        }
    }

    /// <summary>The test side, playing Twilio: writes carrier messages and records what the bridge sends.</summary>
    private sealed class Carrier : IAsyncDisposable
    {
        private readonly MessageSocket _socket;
        private readonly LegHarness _harness;
        private readonly Task<SocketEnd> _receive;
        private readonly TwilioOutboundMessage _message = new();
        private readonly ArrayBufferWriter<byte> _out = new();
        private long _sequence;
        private long _chunk;

        public Carrier(System.Net.WebSockets.WebSocket socket, LegHarness harness)
        {
            _harness = harness;
            _socket = new MessageSocket(socket, 4096, TwilioMediaLeg.MaxMessageBytes);
            _socket.StartSending();
            _receive = _socket.ReceiveAsync(OnMessage, e => throw new InvalidOperationException($"the bridge sent a bad frame: {e}"), CancellationToken.None);
        }

        public List<Outbound> Received { get; } = [];

        public List<byte[]> Media => [.. Received.Where(m => m.Kind == TwilioOutboundKind.Media).Select(m => m.Payload)];

        public List<string> Marks => [.. Received.Where(m => m.Kind == TwilioOutboundKind.Mark).Select(m => m.Mark!)];

        public SocketEnd? End { get; private set; }

        public void SendRaw(string json) => Assert.True(_socket.TrySend(Encoding.UTF8.GetBytes(json)));

        public void SendConnected() => Send(w => TwilioCarrierWriter.WriteConnected(w));

        public void SendStart() => Send(w => TwilioCarrierWriter.WriteStart(w, ++_sequence, StreamSid, AccountSid, CallSid, new Dictionary<string, string> { ["caller"] = "+15550100" }));

        public void SendMedia(ReadOnlySpan<byte> mulaw)
        {
            _chunk++;
            _out.ResetWrittenCount();
            TwilioCarrierWriter.WriteMedia(_out, ++_sequence, StreamSid, _chunk, (_chunk - 1) * CallClock.FrameMs, mulaw);
            Assert.True(_socket.TrySend(_out.WrittenSpan));
        }

        public void SendMark(string name) => Send(w => TwilioCarrierWriter.WriteMark(w, ++_sequence, StreamSid, name));

        public void SendDtmf(string digit) => Send(w => TwilioCarrierWriter.WriteDtmf(w, ++_sequence, StreamSid, digit));

        public void SendStop() => Send(w => TwilioCarrierWriter.WriteStop(w, ++_sequence, StreamSid, AccountSid, CallSid));

        /// <summary>Frame k of <paramref name="mulaw"/> goes at <paramref name="startMs"/> + 20 (k + 1), as Twilio streams.</summary>
        public async Task FeedAsync(byte[] mulaw, long startMs = 0)
        {
            for (var k = 0; k * CallClock.FrameSamples < mulaw.Length; k++)
            {
                await _harness.At(startMs + ((k + 1) * CallClock.FrameMs));
                var offset = k * CallClock.FrameSamples;
                SendMedia(mulaw.AsSpan(offset, Math.Min(CallClock.FrameSamples, mulaw.Length - offset)));
            }
        }

        /// <summary>Closes our side and waits for the bridge to close its side.</summary>
        public async Task<SocketEnd> CloseAsync()
        {
            await _socket.CloseAsync("carrier hung up", CancellationToken.None);
            End = await _receive;
            return End;
        }

        public async ValueTask DisposeAsync() => await _socket.DisposeAsync();

        private void Send(Action<ArrayBufferWriter<byte>> write)
        {
            _out.ResetWrittenCount();
            write(_out);
            Assert.True(_socket.TrySend(_out.WrittenSpan));
        }

        private ValueTask OnMessage(ReadOnlyMemory<byte> utf8)
        {
            var status = TwilioOutboundParser.TryParse(utf8.Span, _message, out var error);
            Assert.True(status == TwilioParseStatus.Ok, $"the bridge sent an unparseable message ({error}): {Encoding.UTF8.GetString(utf8.Span)}");
            Received.Add(new Outbound(_message.Kind, _message.StreamSid, _message.PayloadSpan.ToArray(), _message.MarkName));
            return ValueTask.CompletedTask;
        }
    }

    private sealed record Outbound(TwilioOutboundKind Kind, string? StreamSid, byte[] Payload, string? Mark);
}
