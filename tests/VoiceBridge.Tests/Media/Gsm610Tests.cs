using System.Buffers.Binary;
using VoiceBridge.Media;
using VoiceBridge.Tests.Support;

namespace VoiceBridge.Tests.Media;

/// <summary>
/// GSM 6.10 WAVs, held sample for sample to libgsm's decoding (sox) of a sox-encoded fixture
/// (<c>Media/Gsm</c>): the decoder is the standard's fixed-point one, so nothing may differ.
/// </summary>
public sealed class Gsm610Tests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_gsm_wav_decodes_exactly_as_libgsm_decodes_it_cut_to_its_fact_chunk()
    {
        var gsm = WavLoader.Load(Fixture("speech-gsm610.wav"));
        var reference = WavLoader.Load(Fixture("speech-gsm610.sox.wav")).Samples;

        Assert.Equal(("GSM 6.10", 8000, 1), (gsm.SourceEncoding, gsm.SourceRate, gsm.SourceChannels));
        Assert.Equal(36_618, gsm.Samples.Length);
        Assert.Equal(reference[..36_618], gsm.Samples);
        Assert.True(Signals.Rms(gsm.Samples) > 300, "the fixture is speech, not silence");
    }

    [Fact]
    public void Without_a_fact_chunk_every_whole_block_is_decoded()
    {
        var bytes = File.ReadAllBytes(Fixture("speech-gsm610.wav"));
        "junk"u8.CopyTo(bytes.AsSpan(FactAt));

        Assert.Equal(WavLoader.Load(Fixture("speech-gsm610.sox.wav")).Samples, WavLoader.Load(_dir.Write("nofact.wav", bytes)).Samples);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(18)]
    public void A_fmt_chunk_that_does_not_count_the_samples_per_block_is_read_as_the_standard_320(int fmtBytes)
    {
        // sox writes a 20-byte fmt chunk (cbSize 2, then 320); writers that know only the fixed layout stop before the count.
        var sox = File.ReadAllBytes(Fixture("speech-gsm610.wav"));
        var bytes = sox[..(FmtAt + 8 + fmtBytes)].Concat(sox[FactAt..]).ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)(bytes.Length - 8));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(FmtAt + 4), (uint)fmtBytes);
        if (fmtBytes == 18)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(FmtAt + 8 + 16), 0);
        }

        Assert.Equal(WavLoader.Load(Fixture("speech-gsm610.wav")).Samples, WavLoader.Load(_dir.Write($"fmt{fmtBytes}.wav", bytes)).Samples);
    }

    [Fact]
    public void A_fact_chunk_counting_more_than_the_blocks_hold_is_truncation()
    {
        var bytes = File.ReadAllBytes(Fixture("speech-gsm610.wav"));

        RecordingAssert.Refused(_dir.Write("cut.wav", bytes[..^700]), "truncated");
    }

    [Theory]
    [InlineData(22, 2, "invalid format: GSM 6.10 with 2 channels (it is mono)")]
    [InlineData(32, 33, "unsupported format: GSM 6.10 in 33-byte blocks")]
    [InlineData(38, 160, "invalid format: 160 samples per GSM 6.10 block, a 65-byte block holds 320")]
    public void A_gsm_format_this_decoder_does_not_read_is_named(int offset, ushort value, string words)
    {
        var bytes = File.ReadAllBytes(Fixture("speech-gsm610.wav"));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(offset), value);

        RecordingAssert.Refused(_dir.Write("format.wav", bytes), words);
    }

    [Fact]
    public void A_headerless_gsm_file_decodes_exactly_as_libgsm_decodes_it()
    {
        var gsm = WavLoader.Load(Fixture("speech.gsm"));

        Assert.Equal(("GSM 6.10 (headerless)", 8000, 1), (gsm.SourceEncoding, gsm.SourceRate, gsm.SourceChannels));
        Assert.Equal(WavLoader.Load(Fixture("speech.gsm.sox.wav")).Samples, gsm.Samples);
    }

    [Fact]
    public void A_headerless_gsm_frame_without_its_signature_is_named_by_its_number()
    {
        var bytes = File.ReadAllBytes(Fixture("speech.gsm"));
        bytes[33 * 4] = 0x1F;

        RecordingAssert.Refused(_dir.Write("odd.gsm", bytes), "not a GSM file: frame 5 (byte 132) does not start with the GSM signature 0xD");
    }

    [Fact]
    public void A_headerless_gsm_file_cut_inside_a_frame_is_truncation()
    {
        var bytes = File.ReadAllBytes(Fixture("speech.gsm"));

        RecordingAssert.Refused(_dir.Write("cut.gsm", bytes[..^10]), "truncated: 7547 bytes are not whole 33-byte GSM frames (the last is cut after 23 bytes)");
    }

    /// <summary>Where the fmt chunk starts, after the RIFF header.</summary>
    private const int FmtAt = 12;

    /// <summary>Where sox's fact chunk starts: RIFF header (12), fmt chunk (8 + 20).</summary>
    private const int FactAt = 40;

    private static string Fixture(string name) => Path.Combine(RepoPaths.Root, "tests", "VoiceBridge.Tests", "Media", "Gsm", name);
}
