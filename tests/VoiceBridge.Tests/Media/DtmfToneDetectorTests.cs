using VoiceBridge.Media;
using VoiceBridge.Tests.Support;

namespace VoiceBridge.Tests.Media;

/// <summary>The in-band DTMF detector on generated key presses, with noise, against ITU-T Q.24-style limits, and on speech.</summary>
public sealed class DtmfToneDetectorTests
{
    private const int Rate = 8000;

    private static readonly Dictionary<char, (double Low, double High)> Frequencies = new()
    {
        ['1'] = (697, 1209), ['2'] = (697, 1336), ['3'] = (697, 1477), ['A'] = (697, 1633),
        ['4'] = (770, 1209), ['5'] = (770, 1336), ['6'] = (770, 1477), ['B'] = (770, 1633),
        ['7'] = (852, 1209), ['8'] = (852, 1336), ['9'] = (852, 1477), ['C'] = (852, 1633),
        ['*'] = (941, 1209), ['0'] = (941, 1336), ['#'] = (941, 1477), ['D'] = (941, 1633),
    };

    [Theory]
    [InlineData('1')]
    [InlineData('2')]
    [InlineData('3')]
    [InlineData('A')]
    [InlineData('4')]
    [InlineData('5')]
    [InlineData('6')]
    [InlineData('B')]
    [InlineData('7')]
    [InlineData('8')]
    [InlineData('9')]
    [InlineData('C')]
    [InlineData('*')]
    [InlineData('0')]
    [InlineData('#')]
    [InlineData('D')]
    public void Every_key_is_found_once_where_it_was_pressed(char key)
    {
        var audio = new short[Rate];
        Press(audio, key, startMs: 300, lengthMs: 100);

        var press = Assert.Single(DtmfToneDetector.Detect(audio));

        Assert.Equal(key, press.Digit);
        Assert.InRange(press.Start, Ms(300) - 205, Ms(300));
        Assert.InRange(press.End, Ms(400), Ms(400) + 205);
        Assert.Equal(press.Start + Ms(DtmfToneDetector.MinDurationMs), press.DetectedAt);
    }

    [Fact]
    public void A_pin_typed_quickly_over_a_noisy_line_comes_out_key_by_key_in_order()
    {
        var audio = new short[Rate * 2];
        var keys = "1205#";
        for (var i = 0; i < keys.Length; i++)
        {
            Press(audio, keys[i], startMs: 200 + (i * 140), lengthMs: 70);
        }

        // White noise 20 dB under each tone.
        Signals.AddNoise(audio, -30, seed: 7);

        var presses = DtmfToneDetector.Detect(audio);

        Assert.Equal(keys, string.Concat(presses.Select(p => p.Digit)));
        Assert.All(presses, (p, i) => Assert.InRange(p.DetectedAt, Ms(200 + (i * 140)), Ms(200 + (i * 140) + 50)));
    }

    [Fact]
    public void A_key_held_for_a_second_is_one_press()
    {
        var audio = new short[Rate * 2];
        Press(audio, '5', startMs: 100, lengthMs: 1000);

        Assert.Equal("5", string.Concat(DtmfToneDetector.Detect(audio).Select(p => p.Digit)));
    }

    [Theory]
    [InlineData(20, false)]
    [InlineData(23, false)]
    [InlineData(40, true)]
    [InlineData(45, true)]
    public void Tones_shorter_than_the_minimum_are_not_keys(int lengthMs, bool found)
    {
        var audio = new short[Rate];
        Press(audio, '7', startMs: 300, lengthMs: lengthMs);

        Assert.Equal(found, DtmfToneDetector.Detect(audio).Count == 1);
    }

    [Theory]
    [InlineData(0, 0, true)]
    [InlineData(6, 0, true)]
    [InlineData(0, 3, true)]
    [InlineData(10, 0, false)]
    [InlineData(0, 6, false)]
    public void Twist_within_the_limits_is_accepted_and_beyond_them_rejected(double lowLouderDb, double highLouderDb, bool found)
    {
        var audio = new short[Rate];
        var (low, high) = Frequencies['9'];
        var span = audio.AsSpan((int)Ms(200), (int)Ms(100));
        Signals.AddTone(span, low, Rate, Level(-12 + lowLouderDb));
        Signals.AddTone(span, high, Rate, Level(-12 + highLouderDb));

        Assert.Equal(found, DtmfToneDetector.Detect(audio).Count == 1);
    }

    [Fact]
    public void One_tone_alone_a_quiet_pair_or_a_pair_buried_in_noise_is_no_key()
    {
        var single = new short[Rate];
        Signals.AddTone(single.AsSpan((int)Ms(200), (int)Ms(200)), 852, Rate, Level(-10));
        var quiet = new short[Rate];
        Press(quiet, '3', startMs: 200, lengthMs: 200, dbfs: -50);
        var buried = new short[Rate];
        Press(buried, '3', startMs: 200, lengthMs: 200);
        Signals.AddNoise(buried, -12, seed: 3);

        Assert.Empty(DtmfToneDetector.Detect(single));
        Assert.Empty(DtmfToneDetector.Detect(quiet));
        Assert.Empty(DtmfToneDetector.Detect(buried));
    }

    [Fact]
    public void A_two_tone_chord_that_is_no_dtmf_pair_is_no_key()
    {
        var audio = new short[Rate];
        var span = audio.AsSpan((int)Ms(200), (int)Ms(200));
        Signals.AddTone(span, 440, Rate, Level(-10));
        Signals.AddTone(span, 1100, Rate, Level(-10));

        Assert.Empty(DtmfToneDetector.Detect(audio));
    }

    [Theory]
    [InlineData("booking-ulaw8k.wav")]
    [InlineData("hours-pcm16k.wav")]
    [InlineData("cancel-noisy-44k-stereo.wav")]
    public void Speech_of_the_fixtures_has_no_keys(string fixture)
    {
        var speech = WavLoader.Load(RepoPaths.Fixture(fixture)).Samples;

        Assert.Empty(DtmfToneDetector.Detect(speech));
    }

    private static long Ms(long ms) => ms * Rate / 1000;

    /// <summary>The amplitude of a sine whose peak is <paramref name="dbfs"/> of full scale.</summary>
    private static double Level(double dbfs) => Signals.FullScale * Math.Pow(10, dbfs / 20);

    private static void Press(short[] audio, char key, int startMs, int lengthMs, double dbfs = -10)
    {
        var (low, high) = Frequencies[key];
        var span = audio.AsSpan((int)Ms(startMs), (int)Ms(lengthMs));
        Signals.AddTone(span, low, Rate, Level(dbfs));
        Signals.AddTone(span, high, Rate, Level(dbfs));
    }
}
