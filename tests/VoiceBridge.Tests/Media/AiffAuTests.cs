using System.Buffers.Binary;
using VoiceBridge.Media;
using VoiceBridge.Replay;
using VoiceBridge.Tests.Support;

namespace VoiceBridge.Tests.Media;

/// <summary>
/// AIFF, AIFF-C and Sun/NeXT AU recordings, held to sox's reading of the same files (fixtures and
/// commands in <c>Media/Aiff</c>): exactly where no resampling is needed (8 kHz mu-law AU), otherwise by
/// length and a signal-to-difference ratio (our resampler and sox's differ in the last bits).
/// </summary>
public sealed class AiffAuTests : IDisposable
{
    /// <summary>Byte order, signedness or a lost block each leave the ratio near 0 dB or below.</summary>
    private const double MinRatioDb = 20;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("mono-24bit.aifc", "AIFF-C PCM 24-bit", 16000)]
    [InlineData("mono-8bit.aifc", "AIFF-C PCM 8-bit", 16000)]
    [InlineData("float.aifc", "AIFF-C float 32-bit", 16000)]
    [InlineData("pcm-16k.au", "AU PCM 16-bit", 16000)]
    public void A_file_reads_as_sox_reads_it(string name, string encoding, int rate)
    {
        var recording = WavLoader.Load(Fixture(name));
        var reference = WavLoader.Load(Fixture(name + ".sox-8k.wav")).Samples;

        Assert.Equal((encoding, rate, 1), (recording.SourceEncoding, recording.SourceRate, recording.SourceChannels));
        Assert.Equal(reference.Length, recording.Samples.Length);
        AssertSame(reference, recording.Samples);
        Assert.True(Signals.Rms(recording.Samples) > 300, "the fixture is speech, not silence");
    }

    [Fact]
    public void An_8_khz_mu_law_au_file_reads_exactly_as_sox_reads_it()
    {
        var recording = WavLoader.Load(Fixture("mulaw-8k.au"));

        Assert.Equal("AU mu-law", recording.SourceEncoding);
        Assert.Equal(WavLoader.Load(Fixture("mulaw-8k.au.sox-8k.wav")).Samples, recording.Samples);
    }

    [Fact]
    public void Each_channel_of_a_stereo_44_1_khz_aiff_file_reads_as_sox_reads_it()
    {
        foreach (var channel in new[] { ChannelSelection.Left, ChannelSelection.Right })
        {
            var recording = WavLoader.Load(Fixture("stereo-44k.aiff"), channel);
            var reference = WavLoader.Load(Fixture("stereo-44k.aiff.sox-8k.wav"), channel).Samples;

            Assert.Equal(("AIFF PCM 16-bit", 44100, 2), (recording.SourceEncoding, recording.SourceRate, recording.SourceChannels));
            Assert.Equal(reference.Length, recording.Samples.Length);
            AssertSame(reference, recording.Samples);
        }
    }

    [Fact]
    public void A_little_endian_sowt_aiff_c_file_reads_as_the_same_samples_big_endian()
    {
        short[] samples = [0, 1000, -1000, 32767, -32768, 12345, -54, 7];
        var big = Aifc("NONE", samples, bigEndian: true);
        var little = Aifc("sowt", samples, bigEndian: false);

        var fromBig = WavLoader.Load(_dir.Write("big.aifc", big));
        var fromLittle = WavLoader.Load(_dir.Write("little.aifc", little));

        Assert.Equal(samples, fromBig.Samples);
        Assert.Equal(samples, fromLittle.Samples);
        Assert.Equal("AIFF-C PCM 16-bit little-endian", fromLittle.SourceEncoding);
    }

    [Fact]
    public void A_compressed_aiff_c_file_is_refused_naming_its_compression()
    {
        RecordingAssert.Refused(_dir.Write("ima.aifc", Aifc("ima4", [1, 2, 3, 4], bigEndian: true)), "unsupported AIFF-C compression 'ima4'; convert it to WAV first, e.g. ffmpeg -i ima.aifc");
    }

    [Fact]
    public void An_aiff_file_cut_inside_its_sound_is_truncation_named()
    {
        var bytes = File.ReadAllBytes(Fixture("stereo-44k.aiff"));

        RecordingAssert.Refused(_dir.Write("cut.aiff", bytes[..^1000]), "truncated: the AIFF chunk 'SSND' at byte");
    }

    [Fact]
    public void An_aiff_file_whose_comm_chunk_claims_more_frames_than_its_sound_holds_is_truncation_named()
    {
        var bytes = Aifc("NONE", [1, 2, 3, 4], bigEndian: true);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(CommAt + 2), 400);

        RecordingAssert.Refused(_dir.Write("frames.aifc", bytes), "truncated: the COMM chunk declares 400 frames (800 bytes), the SSND chunk holds 8");
    }

    [Fact]
    public void An_aiff_file_without_a_comm_chunk_is_named()
    {
        byte[] bytes = [.. "FORM"u8, 0, 0, 0, 20, .. "AIFF"u8, .. "SSND"u8, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0];

        RecordingAssert.Refused(_dir.Write("nocomm.aiff", bytes), "invalid AIFF: no COMM chunk");
    }

    [Theory]
    [InlineData(12, 23u, "unsupported AU encoding 23 (G.72x ADPCM)")]
    [InlineData(4, 8u, "invalid AU header: data offset 8")]
    [InlineData(8, 1_000_000u, "truncated: the AU header declares 1000000 bytes of audio")]
    [InlineData(16, 1000u, "unsupported AU mu-law: sample rate 1000 Hz")]
    [InlineData(20, 0u, "unsupported AU mu-law: 0 channels")]
    public void A_bad_au_header_field_is_named(int offset, uint value, string words)
    {
        var bytes = File.ReadAllBytes(Fixture("mulaw-8k.au"));
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(offset), value);

        RecordingAssert.Refused(_dir.Write("bad.au", bytes), words);
    }

    [Fact]
    public void An_au_file_of_unknown_length_reads_to_its_end()
    {
        var bytes = File.ReadAllBytes(Fixture("mulaw-8k.au"));
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), uint.MaxValue);

        Assert.Equal(WavLoader.Load(Fixture("mulaw-8k.au")).Samples, WavLoader.Load(_dir.Write("stream.au", bytes)).Samples);
    }

    [Fact]
    public void A_folder_expands_to_its_aiff_au_and_gsm_recordings_too()
    {
        foreach (var name in new[] { "e.aif", "f.aiff", "g.aifc", "h.au", "i.gsm", "c.wav", "notes.txt" })
        {
            File.WriteAllBytes(_dir.File(name), [1]);
        }

        var files = ReplayInputs.Expand([_dir.Path], rawMuLaw: false).Select(Path.GetFileName);

        Assert.Equal(["c.wav", "e.aif", "f.aiff", "g.aifc", "h.au", "i.gsm"], files);
    }

    /// <summary>Where a handmade AIFF-C's COMM chunk body starts: FORM header (12), FVER chunk (12), COMM header (8).</summary>
    private const int CommAt = 32;

    private static string Fixture(string name) => Path.Combine(RepoPaths.Root, "tests", "VoiceBridge.Tests", "Media", "Aiff", name);

    /// <summary>A mono 8 kHz 16-bit AIFF-C file of <paramref name="samples"/>, its COMM chunk naming <paramref name="compression"/>.</summary>
    private static byte[] Aifc(string compression, short[] samples, bool bigEndian)
    {
        var sound = new byte[samples.Length * 2];
        for (var i = 0; i < samples.Length; i++)
        {
            if (bigEndian)
            {
                BinaryPrimitives.WriteInt16BigEndian(sound.AsSpan(i * 2), samples[i]);
            }
            else
            {
                BinaryPrimitives.WriteInt16LittleEndian(sound.AsSpan(i * 2), samples[i]);
            }
        }

        // COMM: channels, frames, bits, 8000 Hz as an 80-bit extended float, compression type, an empty name (padded to even).
        byte[] comm = [0, 1, 0, 0, 0, 0, 0, 16, 0x40, 0x0B, 0xFA, 0, 0, 0, 0, 0, 0, 0, .. System.Text.Encoding.ASCII.GetBytes(compression), 0, 0];
        BinaryPrimitives.WriteUInt32BigEndian(comm.AsSpan(2), (uint)samples.Length);
        byte[] chunks =
        [
            .. "FVER"u8, 0, 0, 0, 4, 0xA2, 0x80, 0x51, 0x40,
            .. "COMM"u8, 0, 0, 0, (byte)comm.Length, .. comm,
            .. "SSND"u8, .. BigEndian(8 + sound.Length), 0, 0, 0, 0, 0, 0, 0, 0, .. sound,
        ];
        return [.. "FORM"u8, .. BigEndian(4 + chunks.Length), .. "AIFC"u8, .. chunks];
    }

    private static byte[] BigEndian(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static void AssertSame(short[] reference, short[] decoded)
    {
        var ratioDb = OggPages.SignalToDifferenceDb(reference, decoded);
        Assert.True(ratioDb >= MinRatioDb, $"decoded audio differs from sox's: {ratioDb:0.0} dB signal to difference, at least {MinRatioDb} wanted");
    }
}
