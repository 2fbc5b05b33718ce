using System.Buffers;
using VoiceBridge.Call;
using VoiceBridge.Engines.Realtime.Protocol;
using VoiceBridge.Legs;
using VoiceBridge.Legs.Rtp;
using VoiceBridge.Legs.Twilio;
using VoiceBridge.Media;
using VoiceBridge.Tests.Support;

namespace VoiceBridge.Tests.Performance;

/// <summary>
/// Pins what bench/VoiceBridge.Benchmarks measures: every per-frame path allocates 0 bytes once
/// warm. Each check runs a loop of <see cref="FramesPerRun"/> 20 ms frames and counts the bytes
/// the thread allocated (exact, deterministic; no timing), so a regression fails here, not only in
/// a benchmark run nobody reads.
/// </summary>
public sealed class FrameAllocationTests
{
    private const int FramesPerRun = 500;
    private const string StreamSid = "MZ18ad3ab5a668481ce02b83e7395059f0";
    private const string Id = "item_B4o9RHSTWobB5OQdEHLTo";

    private static readonly byte[] MuLaw = MakeMuLaw();

    [Fact]
    public void G711_both_ways_allocates_nothing_per_frame()
    {
        var pcm = new short[160];
        var codes = new byte[160];
        AssertNoAllocation(() =>
        {
            G711.MuLawDecode(MuLaw, pcm);
            G711.MuLawEncode(pcm, codes);
            G711.ALawEncode(pcm, codes);
            G711.ALawDecode(codes, pcm);
        });
    }

    [Fact]
    public void Resampler_allocates_nothing_per_frame()
    {
        var up = new Resampler(8000, 24000);
        var down = new Resampler(24000, 8000);
        var pcm = new short[160];
        var wide = new short[1024];
        var narrow = new short[1024];
        G711.MuLawDecode(MuLaw, pcm);
        AssertNoAllocation(() =>
        {
            var n = up.Process(pcm, wide);
            down.Process(wide.AsSpan(0, n), narrow);
        });
    }

    [Fact]
    public void Twilio_media_parse_and_build_allocate_nothing_per_frame()
    {
        var json = new ArrayBufferWriter<byte>();
        TwilioCarrierWriter.WriteMedia(json, 42, StreamSid, 41, 820, MuLaw);
        var inbound = json.WrittenSpan.ToArray();
        var message = new TwilioInboundMessage();
        var output = new ArrayBufferWriter<byte>(4096);
        AssertNoAllocation(() =>
        {
            Assert.True(TwilioMessageParser.TryParse(inbound, message, out _) == TwilioParseStatus.Ok);
            output.ResetWrittenCount();
            TwilioMessageWriter.WriteMedia(output, StreamSid, message.PayloadSpan);
        });
    }

    [Fact]
    public void Realtime_append_and_delta_parse_and_build_allocate_nothing_per_frame()
    {
        var json = new ArrayBufferWriter<byte>();
        RealtimeServerWriter.WriteOutputAudioDelta(json, "event_1", Id, Id, 0, 0, MuLaw);
        var delta = json.WrittenSpan.ToArray();
        json.ResetWrittenCount();
        RealtimeClientWriter.WriteInputAudioAppend(json, MuLaw);
        var append = json.WrittenSpan.ToArray();
        var serverEvent = new RealtimeServerEvent();
        var clientEvent = new RealtimeClientEvent();
        var output = new ArrayBufferWriter<byte>(4096);
        AssertNoAllocation(() =>
        {
            Assert.True(RealtimeServerParser.TryParse(delta, serverEvent, out _));
            Assert.True(RealtimeClientParser.TryParse(append, clientEvent, out _));
            output.ResetWrittenCount();
            RealtimeClientWriter.WriteInputAudioAppend(output, serverEvent.Audio.Span);
            output.ResetWrittenCount();
            RealtimeServerWriter.WriteOutputAudioDelta(output, "event_1", Id, Id, 0, 0, clientEvent.Audio.Span);
        });
    }

    [Fact]
    public void Rtp_parse_build_and_jitter_buffer_allocate_nothing_per_frame()
    {
        var datagram = new byte[RtpPacket.FixedHeaderLength + 160];
        var frame = new byte[160];
        var jitter = new JitterBuffer(new JitterBufferOptions());
        ushort sequence = 0;
        uint timestamp = 0;
        long nowMs = 0;
        AssertNoAllocation(() =>
        {
            RtpPacket.Write(datagram, 0, false, sequence, timestamp, 0x1234_5678, MuLaw);
            Assert.True(RtpPacket.TryParse(datagram, out var packet) == RtpParseStatus.Ok);
            jitter.Insert(packet.SequenceNumber, packet.Timestamp, packet.Payload, nowMs);
            jitter.Pop(frame, nowMs);
            sequence++;
            timestamp += 160;
            nowMs += 20;
        });
    }

    /// <summary>Queuing a delta, the early write of audio that meets an idle stream, a tick and the marks (every 5 frames, the default) allocate nothing.</summary>
    [Fact]
    public void Playout_enqueue_tick_and_marks_allocate_nothing_per_frame()
    {
        var leg = new EchoLeg();
        var playout = new PlayoutBuffer(leg, new PlayoutOptions());
        leg.Playout = playout;
        long nowMs = 0;
        AssertNoAllocation(() =>
        {
            playout.Enqueue(1, Id, MuLaw);
            playout.OnAudioQueued(nowMs + 7);
            playout.Tick(nowMs);
            nowMs += 20;
        });
        Assert.True(playout.FramesSent > FramesPerRun);
        Assert.True(leg.Echoed > FramesPerRun / 5);
    }

    /// <summary>
    /// The Twilio path of agent audio, marks included: each frame written as Twilio's <c>media</c>
    /// message, each mark as a <c>mark</c> message, and its echo (Twilio's <c>mark</c> event) parsed
    /// and matched back to the playout buffer, as <c>TwilioMediaLeg</c> does it.
    /// </summary>
    [Fact]
    public void Twilio_playout_with_marks_and_their_echoes_allocates_nothing_per_frame()
    {
        var leg = new TwilioWireLeg();
        var playout = new PlayoutBuffer(leg, new PlayoutOptions());
        leg.Playout = playout;
        long nowMs = 0;
        AssertNoAllocation(() =>
        {
            playout.Enqueue(1, Id, MuLaw);
            playout.Tick(nowMs);
            nowMs += 20;
        });
        Assert.True(leg.Echoed > FramesPerRun / 5);
        Assert.Equal(0, playout.PendingMarks);
    }

    private static void AssertNoAllocation(Action frame)
    {
        void Run()
        {
            for (var i = 0; i < FramesPerRun; i++)
            {
                frame();
            }
        }

        Run();
        Assert.Equal(0, Allocations.Of(Run));
    }

    private static byte[] MakeMuLaw()
    {
        var pcm = new short[160];
        for (var i = 0; i < pcm.Length; i++)
        {
            pcm[i] = (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / 8000));
        }

        var codes = new byte[160];
        G711.MuLawEncode(pcm, codes);
        return codes;
    }

    /// <summary>A leg that plays everything at once: each mark comes straight back.</summary>
    private sealed class EchoLeg : ICallerLegOutput
    {
        public PlayoutBuffer? Playout { get; set; }

        public int Echoed { get; private set; }

        public void SendAudio(ReadOnlySpan<byte> frame)
        {
        }

        public void SendMark(PlayoutMark mark)
        {
            Echoed++;
            Playout?.OnMark(mark);
        }

        public void Clear()
        {
        }

        public void HangUp()
        {
        }

        public Task TransferAsync(string target, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Writes what the Twilio leg writes, and plays Twilio echoing each mark at once.</summary>
    private sealed class TwilioWireLeg : ICallerLegOutput
    {
        private readonly ArrayBufferWriter<byte> _out = new(4096);
        private readonly ArrayBufferWriter<byte> _echo = new(1024);
        private readonly TwilioInboundMessage _message = new();
        private long _sequence;

        public PlayoutBuffer? Playout { get; set; }

        public int Echoed { get; private set; }

        public void SendAudio(ReadOnlySpan<byte> frame)
        {
            _out.ResetWrittenCount();
            TwilioMessageWriter.WriteMedia(_out, StreamSid, frame);
        }

        public void SendMark(PlayoutMark mark)
        {
            Span<byte> name = stackalloc byte[PlayoutMark.MaxNameBytes];
            name = name[..mark.FormatName(name)];
            _out.ResetWrittenCount();
            TwilioMessageWriter.WriteMark(_out, StreamSid, name);
            _echo.ResetWrittenCount();
            TwilioCarrierWriter.WriteMark(_echo, ++_sequence, StreamSid, name);
            Assert.True(TwilioMessageParser.TryParse(_echo.WrittenSpan, _message, out _) == TwilioParseStatus.Ok);
            Assert.True(PlayoutMark.TryParse(_message.MarkNameUtf8, out var echoed));
            Echoed++;
            Playout!.OnMark(echoed);
        }

        public void Clear()
        {
        }

        public void HangUp()
        {
        }

        public Task TransferAsync(string target, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
