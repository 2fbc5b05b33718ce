using System.Buffers.Binary;
using VoiceBridge.Media;
using VoiceBridge.Tests.Support;

namespace VoiceBridge.Tests.Media;

/// <summary>
/// Ogg Vorbis recordings: each <c>Media/Ogg/vorbis-NAME.ogg</c> was encoded by sox with libvorbis and
/// each <c>vorbis-NAME.libvorbis-8k.wav</c> is sox's (libvorbis's) decoding of it at 8 kHz (commands
/// in the folder's README.md). NVorbis and libvorbis, and our resampler and sox's, differ in the last
/// bits, so a decoding is held to its reference by its exact length and a signal-to-difference ratio.
/// </summary>
public sealed class OggVorbisTests : IDisposable
{
    /// <summary>A lost packet, a shifted start or a swapped channel each leave the ratio near 0 dB.</summary>
    private const double MinRatioDb = 20;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_mono_file_decodes_as_libvorbis_decodes_it()
    {
        var vorbis = WavLoader.Load(OggPages.Fixture("vorbis-mono.ogg"));
        var reference = WavLoader.Load(OggPages.Fixture("vorbis-mono.libvorbis-8k.wav")).Samples;

        Assert.StartsWith("Ogg Vorbis (nominal ", vorbis.SourceEncoding, StringComparison.Ordinal);
        Assert.Equal((16000, 1), (vorbis.SourceRate, vorbis.SourceChannels));
        Assert.Equal(reference.Length, vorbis.Samples.Length);
        AssertSame(reference, vorbis.Samples);
        Assert.True(Signals.Rms(vorbis.Samples) > 300, "the fixture is speech, not silence");
    }

    [Fact]
    public void Each_channel_of_a_stereo_44_1_khz_file_decodes_as_libvorbis_decodes_it()
    {
        foreach (var channel in new[] { ChannelSelection.Left, ChannelSelection.Right })
        {
            var vorbis = WavLoader.Load(OggPages.Fixture("vorbis-stereo-44k.ogg"), channel);
            var reference = WavLoader.Load(OggPages.Fixture("vorbis-stereo-44k.libvorbis-8k.wav"), channel).Samples;

            Assert.Equal((44100, 2), (vorbis.SourceRate, vorbis.SourceChannels));
            Assert.Equal(reference.Length, vorbis.Samples.Length);
            AssertSame(reference, vorbis.Samples);
        }
    }

    [Fact]
    public void Auto_picks_the_speech_channel_of_a_stereo_file_as_for_any_other_format()
    {
        var vorbis = WavLoader.Load(OggPages.Fixture("vorbis-stereo-44k.ogg"));

        Assert.Contains("left", vorbis.ChannelChoice, StringComparison.Ordinal);
    }

    [Fact]
    public void A_page_whose_crc_does_not_match_is_named_by_its_offset_not_skipped()
    {
        var bytes = File.ReadAllBytes(OggPages.Fixture("vorbis-stereo-44k.ogg"));
        var pages = OggPages.Offsets(bytes);
        bytes[pages[3] + 200] ^= 0x10;

        RecordingAssert.Refused(_dir.Write("flipped.ogg", bytes), $"corrupt Ogg page at byte {pages[3]}: its CRC does not match its bytes");
    }

    [Fact]
    public void A_missing_page_is_named_by_the_sequence_gap()
    {
        var bytes = File.ReadAllBytes(OggPages.Fixture("vorbis-stereo-44k.ogg"));
        var pages = OggPages.Offsets(bytes);
        byte[] gap = [.. bytes[..pages[3]], .. bytes[pages[4]..]];

        RecordingAssert.Refused(_dir.Write("gap.ogg", gap), $"corrupt Ogg stream: a page is missing before byte {pages[3]} (sequence 2 then 4)");
    }

    [Fact]
    public void A_file_cut_inside_a_page_is_truncation_named_by_its_offset()
    {
        var bytes = File.ReadAllBytes(OggPages.Fixture("vorbis-mono.ogg"));
        var pages = OggPages.Offsets(bytes);

        RecordingAssert.Refused(_dir.Write("cut.ogg", bytes[..(pages[^1] + 100)]), $"truncated: the Ogg page at byte {pages[^1]} declares");
    }

    [Fact]
    public void A_second_vorbis_stream_chained_after_the_first_is_refused()
    {
        var bytes = File.ReadAllBytes(OggPages.Fixture("vorbis-mono.ogg"));
        var second = bytes.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(second.AsSpan(14), 0xC4A1);
        OggPages.Recrc(second, 0);

        RecordingAssert.Refused(_dir.Write("chained.ogg", [.. bytes, .. second[..OggPages.Length(second, 0)]]), $"a second Vorbis stream is chained after the first at byte {bytes.Length}");
    }

    [Theory]
    [InlineData(12, 1000u, "unsupported Ogg Vorbis stream: 1000 Hz (rates 4000 to 384000 Hz)")]
    [InlineData(12, 2_000_000u, "unsupported Ogg Vorbis stream: 2000000 Hz (rates 4000 to 384000 Hz)")]
    public void A_rate_out_of_range_is_refused_by_name(int offset, uint rate, string words)
    {
        var bytes = File.ReadAllBytes(OggPages.Fixture("vorbis-mono.ogg"));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(28 + offset), rate);
        OggPages.Recrc(bytes, 0);

        RecordingAssert.Refused(_dir.Write("rate.ogg", bytes), words);
    }

    [Theory]
    [InlineData(11, 0, "unsupported Ogg Vorbis stream: 0 channels (1 to 8)")]
    [InlineData(11, 255, "unsupported Ogg Vorbis stream: 255 channels (1 to 8)")]
    [InlineData(28, 0xE8, "invalid Ogg Vorbis identification header: block sizes 256 and 16384")]
    [InlineData(28, 0x9A, "invalid Ogg Vorbis identification header: block sizes 1024 and 512")]
    [InlineData(29, 0, "invalid Ogg Vorbis identification header: not 30 bytes of Vorbis I (version 0) ending in its framing bit")]
    public void An_identification_header_that_would_size_the_decoder_wrongly_is_refused_by_name(int offset, byte value, string words)
    {
        var bytes = File.ReadAllBytes(OggPages.Fixture("vorbis-mono.ogg"));
        bytes[28 + offset] = value;
        OggPages.Recrc(bytes, 0);

        RecordingAssert.Refused(_dir.Write("ident.ogg", bytes), words);
    }

    [Fact]
    public void Damaged_audio_packets_with_good_crcs_are_decoded_or_refused_never_thrown_through()
    {
        var original = File.ReadAllBytes(OggPages.Fixture("vorbis-stereo-44k.ogg"));
        var pages = OggPages.Offsets(original);
        var random = new Random(9);
        for (var run = 0; run < 60; run++)
        {
            var bytes = original.ToArray();
            var page = pages[random.Next(1, pages.Count)];
            var bodyStart = page + 27 + bytes[page + 26];
            for (var flips = random.Next(1, 8); flips > 0; flips--)
            {
                bytes[random.Next(bodyStart, page + OggPages.Length(bytes, page))] = (byte)random.Next(256);
            }

            OggPages.Recrc(bytes, page);
            var path = _dir.Write($"damaged-{run}.ogg", bytes);
            try
            {
                Assert.NotEmpty(WavLoader.Load(path).Samples);
            }
            catch (AudioFormatException error)
            {
                Assert.Contains("damaged-", error.Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void A_last_granule_position_claiming_hours_ends_the_recording_where_its_audio_ends()
    {
        var bytes = File.ReadAllBytes(OggPages.Fixture("vorbis-mono.ogg"));
        var pages = OggPages.Offsets(bytes);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(pages[^1] + 6), 16000L * 3600 * 3);
        OggPages.Recrc(bytes, pages[^1]);

        var original = WavLoader.Load(OggPages.Fixture("vorbis-mono.ogg")).Samples;
        var lying = WavLoader.Load(_dir.Write("hours.ogg", bytes)).Samples;

        // Untrimmed, the last packet keeps the encoder's padding: at most one long block (2048 samples at 16 kHz).
        Assert.InRange(lying.Length, original.Length, original.Length + 1024);
        // The same audio, but for the last few samples: the resampler's tail now sees the padding, not silence.
        Assert.Equal(original[..^64], lying[..(original.Length - 64)]);
    }

    [Theory]
    [InlineData(3_000_000_000L, "unsupported Ogg Vorbis stream: the page at byte {0} has granule position 3000000000, past the 2147483647 samples the decoder in use (NVorbis) counts")]
    [InlineData(-7L, "corrupt Ogg Vorbis stream: the page at byte {0} has granule position -7")]
    public void A_granule_position_the_decoder_cannot_count_is_refused_before_it_decodes_forever(long granule, string words)
    {
        var bytes = File.ReadAllBytes(OggPages.Fixture("vorbis-mono.ogg"));
        var pages = OggPages.Offsets(bytes);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(pages[^1] + 6), granule);
        OggPages.Recrc(bytes, pages[^1]);

        RecordingAssert.Refused(_dir.Write("granule.ogg", bytes), string.Format(System.Globalization.CultureInfo.InvariantCulture, words, pages[^1]));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_last_granule_position_below_the_audio_before_it_ends_the_recording_there(bool endsStream)
    {
        // NVorbis, trimming by it itself, looped forever on a page like this (the ogg fuzz target found it).
        var bytes = File.ReadAllBytes(Path.Combine(RepoPaths.Root, "src", "VoiceBridge.Core", "Fuzzing", "Seeds", "vorbis-8k.ogg"));
        var last = OggPages.Offsets(bytes)[^1];
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(last + 6), 0);
        bytes[last + 5] = (byte)(endsStream ? 0x04 : 0);
        OggPages.Recrc(bytes, last);

        var original = WavLoader.Load(_dir.Write("seed.ogg", File.ReadAllBytes(Path.Combine(RepoPaths.Root, "src", "VoiceBridge.Core", "Fuzzing", "Seeds", "vorbis-8k.ogg")))).Samples;
        var zero = WavLoader.Load(_dir.Write("zero.ogg", bytes)).Samples;

        // Granule 0 says nothing to trim by: the audio is decoded whole (its encoder padding kept).
        Assert.InRange(zero.Length, original.Length, original.Length + 1024);
    }

    [Fact]
    public void A_granule_position_going_back_is_corruption_named_by_its_page()
    {
        var bytes = File.ReadAllBytes(OggPages.Fixture("vorbis-stereo-44k.ogg"));
        var pages = OggPages.Offsets(bytes);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(pages[4] + 6), 100);
        OggPages.Recrc(bytes, pages[4]);

        RecordingAssert.Refused(_dir.Write("back.ogg", bytes), $"corrupt Ogg Vorbis stream: the page at byte {pages[4]} has granule position 100, before the 28224 of the page ahead of it");
    }

    [Fact]
    public void A_comment_header_whose_lengths_overrun_it_is_refused_before_the_decoder_allocates_them()
    {
        var bytes = File.ReadAllBytes(OggPages.Fixture("vorbis-mono.ogg"));
        var pages = OggPages.Offsets(bytes);
        var comments = pages[1] + 27 + bytes[pages[1] + 26];
        Assert.Equal("\u0003vorbis"u8.ToArray(), bytes[comments..(comments + 7)]);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(comments + 7), 0x7FFF_FFF0);
        OggPages.Recrc(bytes, pages[1]);

        RecordingAssert.Refused(_dir.Write("comments.ogg", bytes), "invalid Ogg Vorbis comment header: its vendor string claims 2147483632 bytes");
    }

    [Fact]
    public void A_codebook_declaring_millions_of_vectors_in_a_few_bits_is_refused_by_its_size()
    {
        // One ordered codebook: 2^24 - 1 entries of 65,535 dimensions, their lengths one run, a lookup table of one 1-bit value.
        var setup = new VorbisBits("\u0005vorbis"u8);
        setup.Write(0, 8).Write(0x564342, 24).Write(65535, 16).Write(0xFFFFFF, 24).Write(1, 1).Write(0, 5).Write(0xFFFFFF, 24);
        setup.Write(1, 4).Write(0, 32).Write(0, 32).Write(0, 4).Write(0, 1).Write(0, 1);

        var error = Assert.Throws<AudioFormatException>(() => VorbisCodebooks.Check("big.ogg", setup.ToArray()));

        Assert.Contains("its codebooks declare over 262144 values (codebook 0: 16777215 entries of 65535 dimensions)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_setup_header_cut_inside_a_codebook_is_named()
    {
        var setup = new VorbisBits("\u0005vorbis"u8);
        setup.Write(0, 8).Write(0x564342, 24).Write(2, 16).Write(300, 24).Write(0, 1).Write(0, 1).Write(4, 5);

        var error = Assert.Throws<AudioFormatException>(() => VorbisCodebooks.Check("cut.ogg", setup.ToArray()));

        Assert.Contains("invalid Ogg Vorbis setup header: it ends inside a codebook", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Libvorbis_codebooks_are_far_under_the_limit()
    {
        foreach (var name in new[] { "vorbis-mono.ogg", "vorbis-stereo-44k.ogg" })
        {
            var bytes = File.ReadAllBytes(OggPages.Fixture(name));
            var pages = OggPages.Offsets(bytes);
            var (setupPage, segments) = (pages[1], bytes[pages[1] + 26]);
            var body = bytes[(setupPage + 27 + segments)..(setupPage + OggPages.Length(bytes, setupPage))];
            var setup = body.AsSpan(body.AsSpan().IndexOf("\u0005vorbis"u8)).ToArray();

            Assert.InRange(VorbisCodebooks.Check(name, setup), 10_000, VorbisCodebooks.MaxValues / 3);
        }
    }

    [Fact]
    public void An_audio_packet_the_decoder_divides_by_zero_on_is_refused_by_name()
    {
        RecordingAssert.Refused(OggPages.Fixture("fuzz-divide-by-zero.ogg"), "not a readable Ogg Vorbis stream: Attempted to divide by zero.");
    }

    private static void AssertSame(short[] reference, short[] decoded)
    {
        var ratioDb = OggPages.SignalToDifferenceDb(reference, decoded);
        Assert.True(ratioDb >= MinRatioDb, $"decoded audio differs from libvorbis's: {ratioDb:0.0} dB signal to difference, at least {MinRatioDb} wanted");
    }

    /// <summary>Vorbis's bit packing (least significant bit first), for writing setup headers by hand.</summary>
    private sealed class VorbisBits(ReadOnlySpan<byte> prefix)
    {
        private readonly List<byte> _bytes = [.. prefix];
        private int _bit = 8;

        public VorbisBits Write(long value, int bits)
        {
            for (var i = 0; i < bits; i++, _bit++)
            {
                if (_bit == 8)
                {
                    _bytes.Add(0);
                    _bit = 0;
                }

                _bytes[^1] |= (byte)(((value >> i) & 1) << _bit);
            }

            return this;
        }

        public byte[] ToArray() => [.. _bytes];
    }
}
