using System.Text;
using VoiceBridge.Media;

namespace VoiceBridge.Tests.Media;

public sealed class WavLoaderErrorTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void MissingFile() =>
        AssertProblem(_dir.File("missing.wav"), "not found");

    [Fact]
    public void EmptyFile() =>
        AssertProblem(_dir.Write("empty.wav", []), "empty file (0 bytes)");

    [Fact]
    public void TextFileNamedWav() =>
        AssertProblem(_dir.Write("notes.wav", Encoding.UTF8.GetBytes("these are my meeting notes, not audio\n")), "not a WAV");

    [Theory]
    [InlineData("2321414D520A3C", "an AMR file")]
    [InlineData("0000002066747970", "an MP4/M4A file")]
    [InlineData("6361666600010000", "a Core Audio (CAF) file")]
    [InlineData("FFF15080", "an AAC (ADTS) stream")]
    [InlineData("726966662E91CF11A5D628DB04C10000", "a Sony Wave64 (W64) file")]
    [InlineData("3026B2758E66CF11A6D900AA0062CE6C", "a Windows Media (ASF/WMA) file")]
    public void AnotherContainerNamedWavIsNamedWithTheWayToConvertIt(string headHex, string what)
    {
        var head = Convert.FromHexString(headHex);
        var path = _dir.Write("recording.wav", [.. head, .. new byte[64]]);

        AssertProblem(path, $"not a WAV file: it is {what}");
        AssertProblem(path, "ffmpeg -i recording.wav -ac 1 recording-converted.wav");
    }

    [Fact]
    public void TinyFileWithoutAHeader() =>
        AssertProblem(_dir.Write("tiny.wav", [1, 2, 3]), "not a WAV");

    [Fact]
    public void FileCutInsideTheRiffHeader() =>
        AssertProblem(_dir.Write("riff-only.wav", "RIFF\x10\0"u8.ToArray()), "truncated");

    [Fact]
    public void FileCutInsideTheFormatChunk()
    {
        var whole = WavFiles.Handmade(1, 1, 8000, 16, 2, new byte[100]);
        AssertProblem(_dir.Write("cut-header.wav", whole[..24]), "truncated");
    }

    [Fact]
    public void DataChunkDeclaresMoreThanTheFileHolds()
    {
        var whole = WavFiles.Handmade(1, 1, 8000, 16, 2, new byte[1000]);
        AssertProblem(_dir.Write("cut-data.wav", whole[..^400]), "truncated: data chunk declares 1000 bytes, file holds 600");
    }

    [Fact]
    public void DataChunkCutMidSample() =>
        AssertProblem(_dir.Write("mid-sample.wav", WavFiles.Handmade(1, 2, 8000, 16, 4, new byte[1001])), "truncated");

    [Theory]
    [InlineData(0x55, "MP3 (format tag 85)")]
    [InlineData(0x28F, "G.722 (format tag 655)")]
    [InlineData(0x45, "G.726 ADPCM (format tag 69)")]
    public void A_codec_inside_a_wav_that_is_not_decoded_is_named_with_a_way_to_convert_it(int tag, string what) =>
        AssertProblem(_dir.Write("codec.wav", WavFiles.Handmade(tag, 1, 8000, 0, 1, new byte[650])), $"unsupported encoding: {what}; convert it to PCM first, e.g. ffmpeg -i codec.wav -ac 1 codec-pcm.wav");

    [Fact]
    public void UnknownFormatTagIsUnsupported() =>
        AssertProblem(_dir.Write("odd.wav", WavFiles.Handmade(0x7777, 1, 8000, 16, 2, new byte[512])), "unsupported encoding");

    [Fact]
    public void TwelveBitPcmIsAnUnsupportedBitDepth() =>
        AssertProblem(_dir.Write("pcm12.wav", WavFiles.Handmade(1, 1, 8000, 12, 2, new byte[512])), "unsupported bit depth");

    [Fact]
    public void SixteenBitALawIsAnUnsupportedBitDepth() =>
        AssertProblem(_dir.Write("alaw16.wav", WavFiles.Handmade(6, 1, 8000, 16, 2, new byte[512])), "unsupported bit depth");

    [Fact]
    public void InconsistentBlockAlign() =>
        AssertProblem(_dir.Write("block.wav", WavFiles.Handmade(1, 2, 8000, 16, 2, new byte[512])), "block align");

    [Fact]
    public void ZeroSamples() =>
        AssertProblem(_dir.Write("silent.wav", WavFiles.Handmade(1, 1, 8000, 16, 2, [])), "zero samples");

    [Fact]
    public void RateTheResamplerCannotHandle() =>
        AssertProblem(_dir.Write("odd-rate.wav", WavFiles.Handmade(1, 1, 44101, 16, 2, new byte[512])), "unsupported sample rate: 44101 Hz");

    [Fact]
    public void EmptyRawMuLaw() =>
        Assert.Contains("empty", Assert.Throws<AudioFormatException>(() => WavLoader.LoadRawMuLaw(_dir.Write("empty.ulaw", []))).Message);

    [Fact]
    public void MissingRawMuLaw() =>
        Assert.Contains("not found", Assert.Throws<AudioFormatException>(() => WavLoader.LoadRawMuLaw(_dir.File("none.ulaw"))).Message);

    private static void AssertProblem(string path, string words) => Assert.Equal(path, RecordingAssert.Refused(path, words).PathName);
}
