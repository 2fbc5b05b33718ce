using VoiceBridge.Tests.Support;
using VoiceBridge.Media;

namespace VoiceBridge.Tests.Media;

public sealed class ResamplerTests
{
    private const double Amplitude = 10000;

    public static TheoryData<int, int> CallPathPairs => new()
    {
        { 8000, 16000 },
        { 16000, 8000 },
        { 8000, 24000 },
        { 24000, 8000 },
        { 16000, 24000 },
        { 24000, 16000 },
        { 48000, 8000 },
        { 8000, 48000 },
        { 44100, 8000 },
        { 22050, 8000 },
        { 11025, 8000 },
        { 32000, 8000 },
        { 44100, 48000 },
    };

    [Theory]
    [MemberData(nameof(CallPathPairs))]
    public void OneKilohertzToneKeepsItsLevelWithinOneDecibel(int inputRate, int outputRate) =>
        AssertGainDb(inputRate, outputRate, 1000, -1, 1);

    [Theory]
    [InlineData(16000, 8000, 3300)]
    [InlineData(48000, 8000, 3300)]
    [InlineData(8000, 16000, 3300)]
    [InlineData(24000, 16000, 7000)]
    public void PassBandIsFlatNearItsEdge(int inputRate, int outputRate, double frequency) =>
        AssertGainDb(inputRate, outputRate, frequency, -1, 1);

    [Theory]
    [InlineData(16000, 8000, 6000)]
    [InlineData(24000, 8000, 10000)]
    [InlineData(48000, 8000, 6000)]
    [InlineData(48000, 8000, 20000)]
    [InlineData(24000, 16000, 9000)]
    [InlineData(16000, 8000, 4300)]
    [InlineData(44100, 8000, 5000)]
    public void ToneAboveOutputNyquistIsAttenuatedAtLeastFortyDecibels(int inputRate, int outputRate, double frequency) =>
        AssertGainDb(inputRate, outputRate, frequency, double.NegativeInfinity, -40);

    [Theory]
    [InlineData(8000, 16000, 3000, 5000)]
    [InlineData(8000, 48000, 1000, 7000)]
    [InlineData(8000, 24000, 2500, 5500)]
    public void UpsamplingLeavesNoImages(int inputRate, int outputRate, double frequency, double image)
    {
        var output = Resample(inputRate, outputRate, Signals.Tone(frequency, inputRate, inputRate, Amplitude));
        var steady = output.AsSpan(outputRate / 10, outputRate / 2);

        Assert.True(Signals.Db(Signals.AmplitudeAt(steady, image, outputRate) / Amplitude) < -40);
    }

    [Theory]
    [MemberData(nameof(CallPathPairs))]
    public void TwentyMillisecondChunksGiveTheSameOutputAsOneBlock(int inputRate, int outputRate)
    {
        var input = new short[inputRate / 2];
        Signals.AddNoise(input, -12, seed: 7);
        var whole = Resample(inputRate, outputRate, input);

        var resampler = new Resampler(inputRate, outputRate);
        int chunk = inputRate / 50;
        var buffer = new short[resampler.MaxOutputFor(chunk)];
        var streamed = new List<short>();
        for (int start = 0; start < input.Length; start += chunk)
        {
            int written = resampler.Process(input.AsSpan(start, Math.Min(chunk, input.Length - start)), buffer);
            streamed.AddRange(buffer.AsSpan(0, written));
        }

        Assert.Equal(whole, streamed);
    }

    [Theory]
    [MemberData(nameof(CallPathPairs))]
    public void OutputLengthFollowsTheRatio(int inputRate, int outputRate)
    {
        int inputCount = (inputRate * 3) + 17;
        var output = Resample(inputRate, outputRate, new short[inputCount]);

        Assert.InRange(output.Length - ((double)inputCount * outputRate / inputRate), -2, 2);
    }

    [Theory]
    [InlineData(8000, 16000)]
    [InlineData(16000, 8000)]
    [InlineData(48000, 8000)]
    [InlineData(8000, 48000)]
    [InlineData(24000, 16000)]
    public void ImpulsePeaksAfterTheReportedDelay(int inputRate, int outputRate)
    {
        var input = new short[inputRate / 10];
        int impulseAt = inputRate / 50;
        input[impulseAt] = short.MaxValue;

        var output = Resample(inputRate, outputRate, input);
        int peak = Array.IndexOf(output, output.Max());

        Assert.Equal(((long)impulseAt * outputRate / inputRate) + new Resampler(inputRate, outputRate).DelaySamplesOut, peak);
    }

    [Fact]
    public void EqualRatesPassAudioThroughUntouched()
    {
        var input = new short[1000];
        Signals.AddNoise(input, -10, seed: 3);
        var resampler = new Resampler(8000, 8000);

        Assert.Equal(0, resampler.DelaySamplesOut);
        Assert.Equal(input, Resample(8000, 8000, input));
    }

    [Fact]
    public void ReportsRatesAndRejectsBadArguments()
    {
        var resampler = new Resampler(24000, 8000);

        Assert.Equal(24000, resampler.InputRate);
        Assert.Equal(8000, resampler.OutputRate);
        Assert.Equal(160, resampler.MaxOutputFor(480));
        Assert.Throws<ArgumentOutOfRangeException>(() => resampler.Process(new short[480], new short[159]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Resampler(0, 8000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Resampler(44101, 8000));
    }

    [Fact]
    public void ProcessDoesNotAllocate()
    {
        var resampler = new Resampler(8000, 24000);
        var input = Signals.Tone(440, 8000, 160, Amplitude);
        var output = new short[resampler.MaxOutputFor(input.Length)];
        resampler.Process(input, output);

        Assert.Equal(0, Allocations.Of(() =>
        {
            for (int i = 0; i < 50; i++)
            {
                resampler.Process(input, output);
            }
        }));
    }

    private static short[] Resample(int inputRate, int outputRate, short[] input)
    {
        var resampler = new Resampler(inputRate, outputRate);
        var output = new short[resampler.MaxOutputFor(input.Length)];
        return output[..resampler.Process(input, output)];
    }

    private static void AssertGainDb(int inputRate, int outputRate, double frequency, double minDb, double maxDb)
    {
        var output = Resample(inputRate, outputRate, Signals.Tone(frequency, inputRate, inputRate, Amplitude));
        var steady = output.AsSpan(outputRate / 10, outputRate * 8 / 10);
        double gainDb = Signals.Db(Signals.Rms(steady) / (Amplitude / Math.Sqrt(2)));

        Assert.InRange(gainDb, minDb, maxDb);
    }
}
