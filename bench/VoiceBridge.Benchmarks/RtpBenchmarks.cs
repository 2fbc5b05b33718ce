using BenchmarkDotNet.Attributes;
using VoiceBridge.Legs.Rtp;

namespace VoiceBridge.Benchmarks;

/// <summary>RTP packets and the jitter buffer on one 20 ms PCMU frame.</summary>
[MemoryDiagnoser]
public class RtpBenchmarks
{
    private readonly byte[] _mulaw = Frames.MuLaw();
    private readonly byte[] _datagram = new byte[RtpPacket.FixedHeaderLength + Frames.Samples];
    private readonly byte[] _out = new byte[Frames.Samples];
    private JitterBuffer _jitter = null!;
    private ushort _sequence;
    private uint _timestamp;
    private long _nowMs;

    [GlobalSetup]
    public void Setup()
    {
        RtpPacket.Write(_datagram, 0, false, 1000, 160_000, 0x1234_5678, _mulaw);
        _jitter = new JitterBuffer(new JitterBufferOptions());
    }

    [Benchmark]
    public int ParseRtp() => RtpPacket.TryParse(_datagram, out var packet) == RtpParseStatus.Ok ? packet.Payload.Length : -1;

    [Benchmark]
    public int BuildRtp() => RtpPacket.Write(_datagram, 0, false, 1000, 160_000, 0x1234_5678, _mulaw);

    /// <summary>Steady state: one packet in on time, one frame out, every 20 ms of the leg's clock.</summary>
    [Benchmark]
    public JitterFrameKind JitterInsertPop()
    {
        _jitter.Insert(_sequence++, _timestamp, _mulaw, _nowMs);
        _timestamp += Frames.Samples;
        var kind = _jitter.Pop(_out, _nowMs);
        _nowMs += 20;
        return kind;
    }
}
