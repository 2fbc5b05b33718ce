using BenchmarkDotNet.Attributes;
using VoiceBridge.Media;

namespace VoiceBridge.Benchmarks;

/// <summary>G.711 both ways and the resampler on one 20 ms frame.</summary>
[MemoryDiagnoser]
public class MediaBenchmarks
{
    private readonly short[] _pcm = Frames.Linear();
    private readonly short[] _pcmOut = new short[Frames.Samples];
    private readonly byte[] _codes = Frames.MuLaw();
    private readonly byte[] _codesOut = new byte[Frames.Samples];
    private readonly short[] _pcm24k = Frames.Linear(480, 24000);
    private readonly short[] _resampled = new short[1024];
    private readonly Resampler _up = new(8000, 24000);
    private readonly Resampler _down = new(24000, 8000);

    [Benchmark]
    public void MuLawEncode() => G711.MuLawEncode(_pcm, _codesOut);

    [Benchmark]
    public void MuLawDecode() => G711.MuLawDecode(_codes, _pcmOut);

    [Benchmark]
    public void ALawEncode() => G711.ALawEncode(_pcm, _codesOut);

    [Benchmark]
    public void ALawDecode() => G711.ALawDecode(_codes, _pcmOut);

    /// <summary>8 kHz to 24 kHz (a frame toward a wideband stage).</summary>
    [Benchmark]
    public int Resample8To24() => _up.Process(_pcm, _resampled);

    /// <summary>24 kHz to 8 kHz (a synthesiser's 20 ms back to the call's rate).</summary>
    [Benchmark]
    public int Resample24To8() => _down.Process(_pcm24k, _resampled);
}
