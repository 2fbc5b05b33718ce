using System.Buffers.Binary;
using VoiceBridge.Media;
using VoiceBridge.Replay;
using VoiceBridge.Tests.Support;

namespace VoiceBridge.Tests.Media;

/// <summary>
/// Ogg Opus recordings: the fixtures in <c>Media/Ogg</c> were encoded by opusenc (libopus 1.3.1) and
/// each <c>NAME.opusdec-8k.wav</c> is opusdec's decoding of it taken to 8 kHz by sox (commands in its
/// README.md). Two decoders and two resamplers differ in the last bits, so the decoding is held to
/// the reference by its exact length (pre-skip and end trimming) and a signal-to-difference ratio.
/// </summary>
public sealed class OggOpusTests : IDisposable
{
    /// <summary>A wrong pre-skip, a lost packet or a swapped channel each leave the ratio near 0 dB.</summary>
    private const double MinRatioDb = 20;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_mono_file_decodes_as_opusdec_decodes_it()
    {
        var opus = WavLoader.Load(Fixture("mono.opus"));
        var reference = WavLoader.Load(Fixture("mono.opusdec-8k.wav")).Samples;

        Assert.Equal("Ogg Opus (encoded from 16000 Hz)", opus.SourceEncoding);
        Assert.Equal(48000, opus.SourceRate);
        Assert.Equal(reference.Length, opus.Samples.Length);
        AssertSame(reference, opus.Samples);
        Assert.True(Signals.Rms(opus.Samples) > 300, "the fixture is speech, not silence");
    }

    [Fact]
    public void Each_channel_of_a_stereo_file_decodes_as_opusdec_decodes_it()
    {
        foreach (var channel in new[] { ChannelSelection.Left, ChannelSelection.Right })
        {
            var opus = WavLoader.Load(Fixture("stereo.opus"), channel);
            var reference = WavLoader.Load(Fixture("stereo.opusdec-8k.wav"), channel).Samples;

            Assert.Equal(2, opus.SourceChannels);
            Assert.Equal(reference.Length, opus.Samples.Length);
            AssertSame(reference, opus.Samples);
        }
    }

    [Fact]
    public void A_surround_file_of_channel_mapping_family_1_decodes_its_channels_as_opusdec_does()
    {
        var opus = WavLoader.Load(Fixture("surround-3ch.opus"), ChannelSelection.Left);
        var reference = WavLoader.Load(Fixture("surround-3ch.opusdec-left-8k.wav")).Samples;

        Assert.Equal("Ogg Opus (encoded from 16000 Hz, channel mapping family 1)", opus.SourceEncoding);
        Assert.Equal(3, opus.SourceChannels);
        Assert.Equal(reference.Length, opus.Samples.Length);
        AssertSame(reference, opus.Samples);
    }

    [Fact]
    public void An_ogg_file_of_another_codec_is_refused_naming_it()
    {
        byte[] speex = [.. OggPages.Foreign(0x02, "Speex   1.2"u8.ToArray()), .. OggPages.Foreign(0x00, "comments"u8.ToArray())];

        var error = Assert.Throws<AudioFormatException>(() => WavLoader.Load(_dir.Write("speex.ogg", speex)));

        Assert.Contains("unsupported Ogg file: Speex audio; only Opus and Vorbis are decoded", error.Message, StringComparison.Ordinal);
        Assert.Contains("ffmpeg -i speex.ogg -ac 1 speex-converted.wav", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_page_whose_crc_does_not_match_is_named_by_its_offset()
    {
        var bytes = File.ReadAllBytes(Fixture("mono.opus"));
        var pages = OggPages.Offsets(bytes);
        bytes[pages[^1] - 10] ^= 0x01;

        RecordingAssert.Refused(_dir.Write("flipped.opus", bytes), $"corrupt Ogg page at byte {pages[^2]}: its CRC does not match its bytes");
    }

    [Fact]
    public void A_file_cut_inside_a_page_is_truncation_named_by_its_offset()
    {
        var bytes = File.ReadAllBytes(Fixture("mono.opus"));
        var pages = OggPages.Offsets(bytes);

        RecordingAssert.Refused(_dir.Write("cut.opus", bytes[..^10]), $"truncated: the Ogg page at byte {pages[^1]} declares {bytes.Length - pages[^1]} bytes, the file holds {bytes.Length - 10 - pages[^1]}");
    }

    [Fact]
    public void Bytes_between_pages_are_corruption_named_by_their_offset()
    {
        var bytes = File.ReadAllBytes(Fixture("mono.opus"));
        var pages = OggPages.Offsets(bytes);
        byte[] junk = [.. bytes[..pages[2]], 1, 2, 3, .. bytes[pages[2]..]];

        RecordingAssert.Refused(_dir.Write("junk.opus", junk), $"corrupt Ogg file: no page starts at byte {pages[2]}");
    }

    [Theory]
    [InlineData(18, 255, "unsupported Ogg Opus channel mapping family 255")]
    [InlineData(8, 0x10, "unsupported Ogg Opus version 16")]
    [InlineData(9, 0, "invalid OpusHead: 0 channels")]
    [InlineData(9, 3, "channel mapping family 0 with 3 channels")]
    public void An_opus_head_no_decoder_could_follow_is_refused_by_name(int offset, byte value, string words)
    {
        var bytes = File.ReadAllBytes(Fixture("mono.opus"));
        var head = bytes.AsSpan().IndexOf("OpusHead"u8);
        bytes[head + offset] = value;
        OggPages.Recrc(bytes, 0);

        RecordingAssert.Refused(_dir.Write("head.opus", bytes), words);
    }

    [Fact]
    public void The_output_gain_of_the_head_is_applied()
    {
        var bytes = File.ReadAllBytes(Fixture("mono.opus"));
        var head = bytes.AsSpan().IndexOf("OpusHead"u8);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(head + 16), -6 * 256);
        OggPages.Recrc(bytes, 0);

        var quieter = WavLoader.Load(_dir.Write("minus-6-db.opus", bytes)).Samples;
        var original = WavLoader.Load(Fixture("mono.opus")).Samples;

        Assert.InRange(Signals.Rms(quieter) / Signals.Rms(original), 0.49, 0.51);
    }

    [Fact]
    public void Pages_of_another_stream_before_and_between_the_opus_pages_are_skipped()
    {
        var bytes = File.ReadAllBytes(Fixture("mono.opus"));
        var pages = OggPages.Offsets(bytes);
        var skeletonHead = OggPages.Foreign(0x02, "fishead\0 skeleton"u8.ToArray());
        var skeletonMore = OggPages.Foreign(0x00, "fisbone\0 more"u8.ToArray());
        byte[] muxed = [.. skeletonHead, .. bytes[..pages[3]], .. skeletonMore, .. bytes[pages[3]..]];

        Assert.Equal(WavLoader.Load(Fixture("mono.opus")).Samples, WavLoader.Load(_dir.Write("muxed.opus", muxed)).Samples);
    }

    [Fact]
    public void A_stream_cut_from_a_longer_one_starts_at_its_first_granule_and_keeps_its_length()
    {
        // Every audio page's granule position moved on by 10 s, as a stream recorded from the middle of another.
        var bytes = File.ReadAllBytes(Fixture("mono.opus"));
        foreach (var at in OggPages.Offsets(bytes).Skip(2))
        {
            var granule = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(at + 6));
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(at + 6), granule + 480_000);
            OggPages.Recrc(bytes, at);
        }

        Assert.Equal(WavLoader.Load(Fixture("mono.opus")).Samples, WavLoader.Load(_dir.Write("late-start.opus", bytes)).Samples);
    }

    [Fact]
    public void A_second_opus_stream_chained_after_the_first_is_refused()
    {
        var bytes = File.ReadAllBytes(Fixture("mono.opus"));
        var second = (byte[])bytes.Clone();
        foreach (var at in OggPages.Offsets(second))
        {
            BinaryPrimitives.WriteUInt32LittleEndian(second.AsSpan(at + 14), 0xC4A1);
            OggPages.Recrc(second, at);
        }

        RecordingAssert.Refused(_dir.Write("chained.opus", [.. bytes, .. second]), $"a second Opus stream is chained after the first at byte {bytes.Length}");
    }

    [Fact]
    public void A_missing_page_is_named_by_the_sequence_gap()
    {
        var bytes = File.ReadAllBytes(Fixture("mono.opus"));
        var pages = OggPages.Offsets(bytes);

        RecordingAssert.Refused(_dir.Write("gap.opus", [.. bytes[..pages[2]], .. bytes[pages[3]..]]), $"a page is missing before byte {pages[2]} (sequence 1 then 3)");
    }

    [Fact]
    public void A_page_claiming_to_continue_a_packet_that_ended_is_corruption()
    {
        var bytes = File.ReadAllBytes(Fixture("mono.opus"));
        var pages = OggPages.Offsets(bytes);
        bytes[pages[2] + 5] |= 0x01;
        OggPages.Recrc(bytes, pages[2]);

        RecordingAssert.Refused(_dir.Write("continued.opus", bytes), $"the page at byte {pages[2]} continues a packet that the page before it ended");
    }

    [Fact]
    public void Tiny_packets_claiming_more_than_four_hours_are_refused_before_decoding()
    {
        // 1-byte packets, each a TOC saying 60 ms (SILK narrowband, one frame): 255 a page, 1,000 pages = 4.25 h.
        var bytes = File.ReadAllBytes(Fixture("mono.opus"));
        var pages = OggPages.Offsets(bytes);
        var file = new List<byte>(bytes[..pages[2]]);
        for (var p = 0; p < 1000; p++)
        {
            var page = new byte[27 + 255 + 255];
            "OggS"u8.CopyTo(page);
            BinaryPrimitives.WriteInt64LittleEndian(page.AsSpan(6), 312 + ((p + 1) * 255L * 2880));
            bytes.AsSpan(pages[0] + 14, 4).CopyTo(page.AsSpan(14));
            BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(18), (uint)(p + 2));
            page[26] = 255;
            page.AsSpan(27, 255).Fill(1);
            page.AsSpan(27 + 255).Fill(0x18);
            OggPages.Recrc(page, 0);
            file.AddRange(page);
        }

        RecordingAssert.Refused(_dir.Write("long.opus", [.. file]), "too long: more than 4 hours of Opus audio");
    }

    [Fact]
    public void Packets_missing_while_the_caller_was_silent_dtx_leave_silence_as_long_as_the_granules_say()
    {
        // The WebM fixture's packets in Ogg pages of 100 ms, whole and with those from 1.5 s to 2.5 s dropped (README).
        OggPages.AssertGapKeptAsSilence(WavLoader.Load(Fixture("speech.opus")).Samples, WavLoader.Load(Fixture("speech-dtx.opus")).Samples, 1.5, 2.5);
    }

    [Fact]
    public void A_folder_expands_to_its_ogg_opus_and_flac_recordings_too()
    {
        foreach (var name in new[] { "a.opus", "b.ogg", "c.wav", "d.flac", "notes.txt" })
        {
            File.WriteAllBytes(_dir.File(name), [1]);
        }

        var files = ReplayInputs.Expand([_dir.Path], rawMuLaw: false).Select(Path.GetFileName);

        Assert.Equal(["a.opus", "b.ogg", "c.wav", "d.flac"], files);
    }

    private static string Fixture(string name) => OggPages.Fixture(name);

    private static void AssertSame(short[] reference, short[] decoded)
    {
        var ratioDb = OggPages.SignalToDifferenceDb(reference, decoded);
        Assert.True(ratioDb >= MinRatioDb, $"decoded audio differs from opusdec's: {ratioDb:0.0} dB signal to difference, at least {MinRatioDb} wanted");
    }
}
