using System.Buffers.Binary;
using VoiceBridge.Media;
using VoiceBridge.Tests.Support;

namespace VoiceBridge.Tests.Media;

/// <summary>
/// FLAC recordings: each fixture in <c>Media/Flac</c> is a lossless encoding (sox's, or flac's for the
/// <c>stereo-8k-*</c> pair, whose frames use all four channel assignments) of the WAV beside it (commands
/// in its README.md), so every coded sample must equal the WAV's, and the call audio the WAV's call audio.
/// </summary>
public sealed class FlacTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("mono-8k", "FLAC 16-bit", 8000, 1)]
    [InlineData("stereo-16k", "FLAC 16-bit", 16000, 2)]
    [InlineData("stereo-44k-24bit", "FLAC 24-bit", 44100, 2)]
    public void A_flac_file_decodes_to_exactly_the_samples_it_was_made_from(string name, string encoding, int rate, int channels)
    {
        foreach (var channel in new[] { ChannelSelection.Auto, ChannelSelection.Left, ChannelSelection.Right })
        {
            var flac = WavLoader.Load(Fixture($"{name}.flac"), channel);
            var wav = WavLoader.Load(Fixture($"{name}.wav"), channel);

            Assert.Equal(encoding, flac.SourceEncoding);
            Assert.Equal(rate, flac.SourceRate);
            Assert.Equal(channels, flac.SourceChannels);
            Assert.Equal(wav.ChannelChoice, flac.ChannelChoice);
            Assert.Equal(wav.Samples, flac.Samples);
        }

        Assert.True(Signals.Rms(WavLoader.Load(Fixture($"{name}.flac")).Samples) > 300, "the fixture is speech, not silence");
    }

    [Theory]
    [InlineData("mono-8k")]
    [InlineData("stereo-16k")]
    [InlineData("stereo-44k-24bit")]
    [InlineData("stereo-8k-decorrelated")]
    [InlineData("stereo-8k-24bit")]
    public void Every_coded_sample_equals_the_wav_it_was_made_from(string name)
    {
        var (channels, bits, decoded) = FlacDecoder.ReadSamples(Fixture($"{name}.flac"));
        var (wavChannels, wavBits, expected) = WavSamples(Fixture($"{name}.wav"));

        Assert.Equal((wavChannels, wavBits), (channels, bits));
        Assert.Equal(expected, decoded);
    }

    [Fact]
    public void A_stream_of_unknown_length_is_counted_then_decoded()
    {
        var bytes = File.ReadAllBytes(Fixture("stereo-16k.flac"));
        SetTotalSamples(bytes, 0);

        Assert.Equal(WavLoader.Load(Fixture("stereo-16k.wav")).Samples, WavLoader.Load(_dir.Write("unknown.flac", bytes)).Samples);
    }

    [Fact]
    public void A_trailing_id3v1_tag_ends_the_frames()
    {
        byte[] tag = [.. "TAG"u8, .. new byte[125]];
        var bytes = File.ReadAllBytes(Fixture("mono-8k.flac"));

        Assert.Equal(WavLoader.Load(Fixture("mono-8k.wav")).Samples, WavLoader.Load(_dir.Write("tagged.flac", [.. bytes, .. tag])).Samples);
    }

    [Fact]
    public void A_flipped_bit_in_a_frame_fails_its_crc_named_by_the_frame_offset()
    {
        var bytes = File.ReadAllBytes(Fixture("mono-8k.flac"));
        bytes[^20] ^= 0x10;

        var error = RecordingAssert.Refused(_dir.Write("flipped.flac", bytes), "corrupt FLAC frame at byte ");

        Assert.Contains("CRC", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_cut_inside_its_last_frame_is_named()
    {
        var bytes = File.ReadAllBytes(Fixture("mono-8k.flac"));

        RecordingAssert.Refused(_dir.Write("cut.flac", bytes[..^30]), "the frame runs past the end of the file");
    }

    [Fact]
    public void A_streaminfo_counting_more_samples_than_the_frames_hold_is_truncation()
    {
        var bytes = File.ReadAllBytes(Fixture("mono-8k.flac"));
        SetTotalSamples(bytes, 4800 + 1000);

        RecordingAssert.Refused(_dir.Write("short.flac", bytes), "truncated: STREAMINFO counts 5800 samples, the frames hold 4800");
    }

    [Fact]
    public void A_stream_not_starting_with_streaminfo_is_refused()
    {
        var bytes = File.ReadAllBytes(Fixture("mono-8k.flac"));
        bytes[4] = (byte)((bytes[4] & 0x80) | 4);

        RecordingAssert.Refused(_dir.Write("no-info.flac", bytes), "the first metadata block is of type 4, not STREAMINFO");
    }

    /// <summary>A PCM WAV's channels, bits and interleaved samples as signed integers (16 or 24 bits), read from its data chunk.</summary>
    private static (int Channels, int Bits, long[] Samples) WavSamples(string path)
    {
        var file = File.ReadAllBytes(path);
        int channels = 0, bits = 0;
        for (var at = 12; at + 8 <= file.Length;)
        {
            var id = System.Text.Encoding.ASCII.GetString(file, at, 4);
            var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 4));
            if (id == "fmt ")
            {
                channels = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(at + 10));
                bits = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(at + 22));
            }
            else if (id == "data")
            {
                var width = bits / 8;
                var samples = new long[size / width];
                for (var i = 0; i < samples.Length; i++)
                {
                    var b = file.AsSpan(at + 8 + (i * width), width);
                    samples[i] = width == 2 ? BinaryPrimitives.ReadInt16LittleEndian(b) : ((b[2] << 24) | (b[1] << 16) | (b[0] << 8)) >> 8;
                }

                return (channels, bits, samples);
            }

            at += 8 + size + (size & 1);
        }

        throw new InvalidDataException($"{path}: no data chunk");
    }

    private static string Fixture(string name) => Path.Combine(RepoPaths.Root, "tests", "VoiceBridge.Tests", "Media", "Flac", name);

    /// <summary>STREAMINFO's 36-bit total sample count: the low bits of the 8 bytes at its offset 10 (file offset 18).</summary>
    private static void SetTotalSamples(byte[] flac, long total)
    {
        var packed = BinaryPrimitives.ReadUInt64BigEndian(flac.AsSpan(18));
        BinaryPrimitives.WriteUInt64BigEndian(flac.AsSpan(18), (packed & ~0xF_FFFF_FFFFUL) | (ulong)total);
    }
}
