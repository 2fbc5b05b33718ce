using VoiceBridge.Tests.Support;
using NAudio.Codecs;
using VoiceBridge.Media;

namespace VoiceBridge.Tests.Media;

public sealed class G711Tests
{
    [Theory]
    [InlineData(0x00, -32124)]
    [InlineData(0x7F, 0)]
    [InlineData(0x80, 32124)]
    [InlineData(0xFF, 0)]
    [InlineData(0x7E, -8)]
    [InlineData(0xFE, 8)]
    [InlineData(0x0F, -16764)]
    public void MuLawDecodesToItuReferenceValues(int code, int expected) =>
        Assert.Equal(expected, G711.MuLawToLinear((byte)code));

    [Theory]
    [InlineData(0xD5, 8)]
    [InlineData(0x55, -8)]
    [InlineData(0xAA, 32256)]
    [InlineData(0x2A, -32256)]
    [InlineData(0xFA, 1008)]
    public void ALawDecodesToItuReferenceValues(int code, int expected) =>
        Assert.Equal(expected, G711.ALawToLinear((byte)code));

    [Theory]
    [InlineData(0, 0xFF)]
    [InlineData(-1, 0x7F)]
    [InlineData(1000, 0xCE)]
    [InlineData(-1000, 0x4E)]
    [InlineData(32767, 0x80)]
    [InlineData(-32768, 0x00)]
    public void MuLawEncodesToItuReferenceCodes(int sample, int expected) =>
        Assert.Equal((byte)expected, G711.LinearToMuLaw((short)sample));

    [Theory]
    [InlineData(0, 0xD5)]
    [InlineData(-1, 0x55)]
    [InlineData(1000, 0xFA)]
    [InlineData(-1000, 0x7A)]
    [InlineData(32767, 0xAA)]
    [InlineData(-32768, 0x2A)]
    public void ALawEncodesToItuReferenceCodes(int sample, int expected) =>
        Assert.Equal((byte)expected, G711.LinearToALaw((short)sample));

    [Fact]
    public void SilenceConstantsAreTheCodesOfZero()
    {
        Assert.Equal(G711.MuLawSilence, G711.LinearToMuLaw(0));
        Assert.Equal(G711.ALawSilence, G711.LinearToALaw(0));
    }

    [Fact]
    public void EveryMuLawCodeRoundTripsExceptNegativeZero()
    {
        for (int code = 0; code < 256; code++)
        {
            byte expected = code == 0x7F ? G711.MuLawSilence : (byte)code;
            Assert.Equal(expected, G711.LinearToMuLaw(G711.MuLawToLinear((byte)code)));
        }
    }

    [Fact]
    public void EveryALawCodeRoundTrips()
    {
        for (int code = 0; code < 256; code++)
        {
            Assert.Equal((byte)code, G711.LinearToALaw(G711.ALawToLinear((byte)code)));
        }
    }

    // NAudio's mu-law table decodes negative zero (0x7F) as -1; ITU G.191 (and G711) decode it as 0.
    [Fact]
    public void DecodersAgreeWithNAudioForAllCodesButMuLawNegativeZero()
    {
        for (int code = 0; code < 256; code++)
        {
            int naudioMuLaw = code == 0x7F ? 0 : MuLawDecoder.MuLawToLinearSample((byte)code);
            Assert.Equal(naudioMuLaw, G711.MuLawToLinear((byte)code));
            Assert.Equal(ALawDecoder.ALawToLinearSample((byte)code), G711.ALawToLinear((byte)code));
        }

        Assert.Equal(-1, MuLawDecoder.MuLawToLinearSample(0x7F));
    }

    [Fact]
    public void QuantizationIsMonotonicAcrossTheWhole16BitRange()
    {
        short previousMu = short.MinValue;
        short previousA = short.MinValue;
        for (int sample = short.MinValue; sample <= short.MaxValue; sample++)
        {
            short mu = G711.MuLawToLinear(G711.LinearToMuLaw((short)sample));
            short a = G711.ALawToLinear(G711.LinearToALaw((short)sample));
            Assert.True(mu >= previousMu && a >= previousA, $"not monotonic at {sample}");
            previousMu = mu;
            previousA = a;
        }
    }

    [Fact]
    public void SpanVersionsMatchScalarVersions()
    {
        var linear = Signals.Tone(440, 8000, 160, 20000);
        var mu = new byte[linear.Length];
        var a = new byte[linear.Length];
        var muBack = new short[linear.Length];
        var aBack = new short[linear.Length];

        G711.MuLawEncode(linear, mu);
        G711.ALawEncode(linear, a);
        G711.MuLawDecode(mu, muBack);
        G711.ALawDecode(a, aBack);

        for (int i = 0; i < linear.Length; i++)
        {
            Assert.Equal(G711.LinearToMuLaw(linear[i]), mu[i]);
            Assert.Equal(G711.LinearToALaw(linear[i]), a[i]);
            Assert.Equal(G711.MuLawToLinear(mu[i]), muBack[i]);
            Assert.Equal(G711.ALawToLinear(a[i]), aBack[i]);
        }
    }

    [Fact]
    public void SpanVersionsRejectAShortDestination()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => G711.MuLawDecode(new byte[2], new short[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => G711.ALawEncode(new short[2], new byte[1]));
    }

    [Fact]
    public void SpanVersionsDoNotAllocate()
    {
        var linear = new short[160];
        var codes = new byte[160];
        G711.MuLawEncode(linear, codes);
        G711.ALawEncode(linear, codes);
        G711.MuLawDecode(codes, linear);
        G711.ALawDecode(codes, linear);

        Assert.Equal(0, Allocations.Of(() =>
        {
            G711.MuLawEncode(linear, codes);
            G711.MuLawDecode(codes, linear);
            G711.ALawEncode(linear, codes);
            G711.ALawDecode(codes, linear);
        }));
    }
}
