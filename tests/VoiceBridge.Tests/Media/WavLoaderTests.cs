using NAudio.Wave;
using VoiceBridge.Media;

namespace VoiceBridge.Tests.Media;

public sealed class WavLoaderTests : IDisposable
{
    private const double Peak = 0.5;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("pcm8", 8000, 1, "PCM 8-bit")]
    [InlineData("pcm16", 8000, 1, "PCM 16-bit")]
    [InlineData("pcm16", 11025, 1, "PCM 16-bit")]
    [InlineData("pcm16", 16000, 2, "PCM 16-bit")]
    [InlineData("pcm16", 44100, 2, "PCM 16-bit")]
    [InlineData("pcm16", 32000, 3, "PCM 16-bit")]
    [InlineData("pcm24", 48000, 1, "PCM 24-bit")]
    [InlineData("pcm32", 22050, 2, "PCM 32-bit")]
    [InlineData("float32", 48000, 2, "IEEE float 32-bit")]
    [InlineData("float64", 24000, 1, "IEEE float 64-bit")]
    [InlineData("mulaw", 8000, 1, "mu-law")]
    [InlineData("alaw", 8000, 2, "A-law")]
    [InlineData("ext-pcm24", 44100, 2, "PCM 24-bit (extensible)")]
    [InlineData("ext-float32", 16000, 1, "IEEE float 32-bit (extensible)")]
    public void SupportedFormatLoadsWithItsDurationAndLevel(string encoding, int rate, int channels, string expectedEncoding)
    {
        var (format, kind) = FormatFor(encoding, rate, channels);
        string path = _dir.File($"{encoding}-{rate}-{channels}.wav");
        var tone = WavFiles.Sine(440, rate, rate, Peak);
        WavFiles.Write(path, format, Enumerable.Repeat(tone, channels).ToArray(), kind);

        var recording = WavLoader.Load(path);

        Assert.Equal(path, recording.Path);
        Assert.Equal(rate, recording.SourceRate);
        Assert.Equal(channels, recording.SourceChannels);
        Assert.Equal(expectedEncoding, recording.SourceEncoding);
        Assert.Equal(CallClock.SampleRate, recording.Samples.Length);
        Assert.Equal(TimeSpan.FromSeconds(1), recording.Duration);
        AssertToneLevel(recording.Samples, Peak);
    }

    [Fact]
    public void StereoChannelsCanBePickedOrMixed()
    {
        string path = _dir.File("stereo.wav");
        var left = WavFiles.Sine(440, 16000, 16000, Peak);
        var right = new double[16000];
        WavFiles.Write(path, new WaveFormat(16000, 16, 2), [left, right], SampleKind.Pcm);

        AssertToneLevel(WavLoader.Load(path, ChannelSelection.Left).Samples, Peak);
        AssertToneLevel(WavLoader.Load(path, ChannelSelection.Mix).Samples, Peak / 2);
        Assert.True(Signals.Rms(WavLoader.Load(path, ChannelSelection.Right).Samples) < 1);
    }

    [Fact]
    public void LeftOrRightOfAMonoFileTakesItsOnlyChannel()
    {
        string path = _dir.File("mono.wav");
        WavFiles.Write(path, new WaveFormat(8000, 16, 1), [WavFiles.Sine(440, 8000, 8000, Peak)], SampleKind.Pcm);

        Assert.Equal(WavLoader.Load(path).Samples, WavLoader.Load(path, ChannelSelection.Right).Samples);
        Assert.Equal(WavLoader.Load(path).Samples, WavLoader.Load(path, ChannelSelection.Left).Samples);
    }

    [Fact]
    public void TimingSurvivesResampling()
    {
        string path = _dir.File("click.wav");
        var signal = new double[48000];
        signal[24000] = 0.9;
        WavFiles.Write(path, new WaveFormat(48000, 16, 1), [signal], SampleKind.Pcm);

        var samples = WavLoader.Load(path).Samples;

        Assert.Equal(4000, Array.IndexOf(samples, samples.Max()));
    }

    [Fact]
    public void UnknownDataSizeFromAStreamingWriterReadsToTheEndOfFile()
    {
        string path = _dir.File("streamed.wav");
        var data = new byte[1600];
        File.WriteAllBytes(path, WavFiles.Handmade(1, 1, 8000, 16, 2, data, declaredDataBytes: uint.MaxValue));

        Assert.Equal(800, WavLoader.Load(path).Samples.Length);
    }

    [Fact]
    public void RawMuLawLoadsAtTheCallRate()
    {
        string path = _dir.File("caller.ulaw");
        var codes = new byte[12000];
        G711.MuLawEncode(Signals.Tone(440, 8000, codes.Length, Peak * 32768), codes);
        File.WriteAllBytes(path, codes);

        var recording = WavLoader.LoadRawMuLaw(path);

        Assert.Equal(TimeSpan.FromSeconds(1.5), recording.Duration);
        Assert.Equal("raw mu-law", recording.SourceEncoding);
        AssertToneLevel(recording.Samples, Peak);
    }

    private static (WaveFormat Format, SampleKind Kind) FormatFor(string encoding, int rate, int channels) => encoding switch
    {
        "pcm8" => (new WaveFormat(rate, 8, channels), SampleKind.Pcm),
        "pcm16" => (new WaveFormat(rate, 16, channels), SampleKind.Pcm),
        "pcm24" => (new WaveFormat(rate, 24, channels), SampleKind.Pcm),
        "pcm32" => (new WaveFormat(rate, 32, channels), SampleKind.Pcm),
        "float32" => (WaveFormat.CreateIeeeFloatWaveFormat(rate, channels), SampleKind.Float),
        "float64" => (WaveFormat.CreateCustomFormat(WaveFormatEncoding.IeeeFloat, rate, channels, rate * channels * 8, channels * 8, 64), SampleKind.Float),
        "mulaw" => (WaveFormat.CreateMuLawFormat(rate, channels), SampleKind.MuLaw),
        "alaw" => (WaveFormat.CreateALawFormat(rate, channels), SampleKind.ALaw),
        "ext-pcm24" => (new WaveFormatExtensible(rate, 24, channels, AudioMediaSubtypes.MEDIASUBTYPE_PCM, 24, 3), SampleKind.Pcm),
        _ => (new WaveFormatExtensible(rate, 32, channels, AudioMediaSubtypes.MEDIASUBTYPE_IEEE_FLOAT, 32, 4), SampleKind.Float),
    };

    private static void AssertToneLevel(short[] samples, double peak)
    {
        var middle = samples.AsSpan(samples.Length / 10, samples.Length * 8 / 10);
        double expectedRms = peak * Signals.FullScale / Math.Sqrt(2);
        Assert.InRange(Signals.Db(Signals.Rms(middle) / expectedRms), -1, 1);
    }
}
