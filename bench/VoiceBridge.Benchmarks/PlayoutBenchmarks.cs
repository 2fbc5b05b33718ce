using BenchmarkDotNet.Attributes;
using VoiceBridge.Call;
using VoiceBridge.Legs;

namespace VoiceBridge.Benchmarks;

/// <summary>
/// The playout buffer in steady state: one 20 ms frame of an agent item queued and one tick of the
/// call clock, with the leg's marks echoed as a carrier does: every 5 frames (the default), and
/// practically never, which shows what a frame costs apart from its share of a mark.
/// </summary>
[MemoryDiagnoser]
public class PlayoutBenchmarks
{
    private readonly byte[] _mulaw = Frames.MuLaw();
    private EchoLeg _leg = null!;
    private PlayoutBuffer _playout = null!;
    private long _nowMs;

    [Params(5, 1_000_000)]
    public int MarkEveryFrames { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _leg = new EchoLeg();
        _playout = new PlayoutBuffer(_leg, new PlayoutOptions { MarkEveryFrames = MarkEveryFrames });
        _leg.Playout = _playout;
    }

    [Benchmark]
    public long EnqueueAndTick()
    {
        _playout.Enqueue(1, "item_1", _mulaw);
        _playout.Tick(_nowMs);
        _nowMs += 20;
        return _playout.FramesSent;
    }

    /// <summary>A leg that plays everything at once: each mark comes straight back.</summary>
    private sealed class EchoLeg : ICallerLegOutput
    {
        public PlayoutBuffer? Playout { get; set; }

        public void SendAudio(ReadOnlySpan<byte> frame)
        {
        }

        public void SendMark(PlayoutMark mark) => Playout?.OnMark(mark);

        public void Clear()
        {
        }

        public void HangUp()
        {
        }

        public Task TransferAsync(string target, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
