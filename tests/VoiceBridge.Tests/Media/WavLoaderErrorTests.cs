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
        AssertProblem(Create("empty.wav", []), "empty file (0 bytes)");

    [Fact]
    public void TextFileNamedWav() =>
        AssertProblem(Create("notes.wav", Encoding.UTF8.GetBytes("these are my meeting notes, not audio\n")), "not a WAV");

    [Theory]
    [InlineData("1A45DFA39F4286810142", "a WebM/Matroska file")]
    [InlineData("2321414D520A3C", "an AMR file")]
    [InlineData("0000002066747970", "an MP4/M4A file")]
    [InlineData("464F524D0000100041494646", "an AIFF file")]
    [InlineData("FFF15080", "an AAC (ADTS) stream")]
    public void AnotherContainerNamedWavIsNamedWithTheWayToConvertIt(string headHex, string what)
    {
        var head = Convert.FromHexString(headHex);
        var path = Create("recording.wav", [.. head, .. new byte[64]]);

        AssertProblem(path, $"not a WAV file: it is {what}");
        AssertProblem(path, "ffmpeg -i recording.wav -ac 1 recording-converted.wav");
    }

    [Fact]
    public void TinyFileWithoutAHeader() =>
        AssertProblem(Create("tiny.wav", [1, 2, 3]), "not a WAV");

    [Fact]
    public void FileCutInsideTheRiffHeader() =>
        AssertProblem(Create("riff-only.wav", "RIFF\x10\0"u8.ToArray()), "truncated");

    [Fact]
    public void FileCutInsideTheFormatChunk()
    {
        var whole = WavFiles.Handmade(1, 1, 8000, 16, 2, new byte[100]);
        AssertProblem(Create("cut-header.wav", whole[..24]), "truncated");
    }

    [Fact]
    public void DataChunkDeclaresMoreThanTheFileHolds()
    {
        var whole = WavFiles.Handmade(1, 1, 8000, 16, 2, new byte[1000]);
        AssertProblem(Create("cut-data.wav", whole[..^400]), "truncated: data chunk declares 1000 bytes, file holds 600");
    }

    [Fact]
    public void DataChunkCutMidSample() =>
        AssertProblem(Create("mid-sample.wav", WavFiles.Handmade(1, 2, 8000, 16, 4, new byte[1001])), "truncated");

    [Fact]
    public void Gsm610IsUnsupportedWithTheWayToConvertIt() =>
        AssertProblem(Create("gsm.wav", WavFiles.Handmade(49, 1, 8000, 0, 65, new byte[650])), "unsupported encoding: GSM 6.10 (format tag 49); convert it to PCM first, e.g. sox gsm.wav -e signed -b 16 gsm-pcm.wav");

    [Fact]
    public void UnknownFormatTagIsUnsupported() =>
        AssertProblem(Create("odd.wav", WavFiles.Handmade(0x7777, 1, 8000, 16, 2, new byte[512])), "unsupported encoding");

    [Fact]
    public void TwelveBitPcmIsAnUnsupportedBitDepth() =>
        AssertProblem(Create("pcm12.wav", WavFiles.Handmade(1, 1, 8000, 12, 2, new byte[512])), "unsupported bit depth");

    [Fact]
    public void SixteenBitALawIsAnUnsupportedBitDepth() =>
        AssertProblem(Create("alaw16.wav", WavFiles.Handmade(6, 1, 8000, 16, 2, new byte[512])), "unsupported bit depth");

    [Fact]
    public void InconsistentBlockAlign() =>
        AssertProblem(Create("block.wav", WavFiles.Handmade(1, 2, 8000, 16, 2, new byte[512])), "block align");

    [Fact]
    public void ZeroSamples() =>
        AssertProblem(Create("silent.wav", WavFiles.Handmade(1, 1, 8000, 16, 2, [])), "zero samples");

    [Fact]
    public void RateTheResamplerCannotHandle() =>
        AssertProblem(Create("odd-rate.wav", WavFiles.Handmade(1, 1, 44101, 16, 2, new byte[512])), "unsupported sample rate: 44101 Hz");

    [Fact]
    public void EmptyRawMuLaw() =>
        Assert.Contains("empty", Assert.Throws<AudioFormatException>(() => WavLoader.LoadRawMuLaw(Create("empty.ulaw", []))).Message);

    [Fact]
    public void MissingRawMuLaw() =>
        Assert.Contains("not found", Assert.Throws<AudioFormatException>(() => WavLoader.LoadRawMuLaw(_dir.File("none.ulaw"))).Message);

    private string Create(string name, byte[] bytes)
    {
        string path = _dir.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static void AssertProblem(string path, string words)
    {
        var error = Assert.Throws<AudioFormatException>(() => WavLoader.Load(path));

        Assert.Contains(Path.GetFileName(path), error.Message);
        Assert.Contains(words, error.Message);
        Assert.Equal(path, error.PathName);
    }
}
