using System.Buffers.Binary;
using NAudio.Wave;
using VoiceBridge.Media;
using VoiceBridge.Tests.Support;

namespace VoiceBridge.Tests.Media;

/// <summary>
/// IMA and Microsoft ADPCM WAVs: the fixtures in <c>Media/Adpcm</c> were encoded by sox, and each
/// <c>NAME.sox.wav</c> beside them is sox's own decoding of it (commands in its README.md), so the
/// decoder is held to the reference implementation sample for sample.
/// </summary>
public sealed class AdpcmWavTests : IDisposable
{
    /// <summary>The fixtures are 0.9 s at 8 kHz; sox pads the last block, the fact chunk says where audio ends.</summary>
    private const int FixtureSamples = 7200;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("mono-ima-adpcm", "IMA ADPCM 4-bit")]
    [InlineData("mono-ms-adpcm", "Microsoft ADPCM 4-bit")]
    public void A_mono_file_decodes_sample_for_sample_as_sox_decodes_it(string name, string encoding)
    {
        var adpcm = WavLoader.Load(Fixture($"{name}.wav"));
        var sox = WavLoader.Load(Fixture($"{name}.sox.wav"));

        Assert.Equal(encoding, adpcm.SourceEncoding);
        Assert.Equal(8000, adpcm.SourceRate);
        Assert.True(sox.Samples.Length > FixtureSamples, "sox's decoding keeps the last block's padding");
        Assert.Equal(sox.Samples[..FixtureSamples], adpcm.Samples);
        Assert.True(Signals.Rms(adpcm.Samples) > 300, "the fixture is speech, not silence");
    }

    [Theory]
    [InlineData("stereo-ima-adpcm")]
    [InlineData("stereo-ms-adpcm")]
    public void Each_channel_of_a_stereo_file_decodes_as_sox_decodes_it(string name)
    {
        foreach (var channel in new[] { ChannelSelection.Left, ChannelSelection.Right })
        {
            var adpcm = WavLoader.Load(Fixture($"{name}.wav"), channel);
            var sox = WavLoader.Load(Fixture($"{name}.sox.wav"), channel);

            Assert.Equal(2, adpcm.SourceChannels);
            Assert.Equal(sox.Samples[..FixtureSamples], adpcm.Samples);
        }

        // Left is speech, right a 300 Hz tone: the channels were not swapped or mixed.
        var left = WavLoader.Load(Fixture($"{name}.wav"), ChannelSelection.Left).Samples;
        var right = WavLoader.Load(Fixture($"{name}.wav"), ChannelSelection.Right).Samples;
        Assert.NotEqual(left, right);
        Assert.Contains("left", WavLoader.Load(Fixture($"{name}.wav")).ChannelChoice, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mono-ima-adpcm", 3, 4 + 8, 1 + 16)]
    [InlineData("mono-ms-adpcm", 2, 7 + 5, 2 + 10)]
    public void A_short_last_block_without_a_fact_chunk_gives_the_samples_it_holds(string name, int wholeBlocks, int lastBlockBytes, int lastBlockSamples)
    {
        var (format, data) = FmtAndData(File.ReadAllBytes(Fixture($"{name}.wav")));
        var blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(format.AsSpan(12));
        var samplesPerBlock = BinaryPrimitives.ReadUInt16LittleEndian(format.AsSpan(18));
        var path = _dir.File("short-last-block.wav");
        File.WriteAllBytes(path, Riff(format, data[..((wholeBlocks * blockAlign) + lastBlockBytes)]));

        var adpcm = WavLoader.Load(path);
        var sox = WavLoader.Load(Fixture($"{name}.sox.wav"));

        var expected = (wholeBlocks * samplesPerBlock) + lastBlockSamples;
        Assert.Equal(sox.Samples[..expected], adpcm.Samples);
    }

    [Fact]
    public void An_ima_block_decodes_to_the_values_the_algorithm_gives()
    {
        // Header: first sample 1000, step index 0; one group of 8 nibbles, low nibble first: 7, F, then zeros.
        byte[] block = [0xE8, 0x03, 0x00, 0x00, 0xF7, 0x00, 0x00, 0x00];
        var decoder = AdpcmDecoder.Create("hand.wav", ImaFormat(channels: 1, blockAlign: 8, samplesPerBlock: 9));
        var output = new short[9];

        Assert.Equal(9, decoder.Decode("hand.wav", block, output));

        // 7 at step 7: +(0 + 7 + 3 + 1); F at step 16: -(2 + 16 + 8 + 4); then +step/8 as the step shrinks.
        Assert.Equal(new short[] { 1000, 1011, 981, 985, 988, 991, 994, 996, 998 }, output);
    }

    [Fact]
    public void A_microsoft_block_decodes_to_the_values_the_algorithm_gives()
    {
        // Predictor 1 (512, -256), delta 16, sample1 100, sample2 50; one byte: nibbles 7 then 8 (-8).
        byte[] block = [0x01, 0x10, 0x00, 0x64, 0x00, 0x32, 0x00, 0x78];
        var decoder = AdpcmDecoder.Create("hand.wav", MicrosoftFormat(blockAlign: 8, samplesPerBlock: 4));
        var output = new short[4];

        Assert.Equal(4, decoder.Decode("hand.wav", block, output));

        // (100*512 - 50*256)/256 + 7*16 = 262, delta 16*614/256 = 38; (262*512 - 100*256)/256 - 8*38 = 120.
        Assert.Equal(new short[] { 50, 100, 262, 120 }, output);
    }

    [Fact]
    public void A_microsoft_block_naming_a_predictor_the_fmt_chunk_lacks_is_refused_by_name()
    {
        var (format, data) = FmtAndData(File.ReadAllBytes(Fixture("mono-ms-adpcm.wav")));
        data[0] = 7;
        var path = _dir.File("bad-predictor.wav");
        File.WriteAllBytes(path, Riff(format, data));

        var error = Assert.Throws<AudioFormatException>(() => WavLoader.Load(path));

        Assert.Contains("predictor 7, the fmt chunk lists 7", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fact_chunk_counting_more_samples_than_the_blocks_hold_is_truncation()
    {
        var bytes = File.ReadAllBytes(Fixture("mono-ima-adpcm.wav"));
        var (format, data) = FmtAndData(bytes);
        var path = _dir.File("cut.wav");
        File.WriteAllBytes(path, Riff(format, data[..(data.Length / 2)], fact: FixtureSamples));

        var error = Assert.Throws<AudioFormatException>(() => WavLoader.Load(path));

        Assert.Contains($"truncated: the fact chunk counts {FixtureSamples} samples", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_last_block_cut_inside_its_header_is_truncation()
    {
        var (format, data) = FmtAndData(File.ReadAllBytes(Fixture("mono-ima-adpcm.wav")));
        var path = _dir.File("cut-header.wav");
        File.WriteAllBytes(path, Riff(format, data[..(256 + 3)]));

        var error = Assert.Throws<AudioFormatException>(() => WavLoader.Load(path));

        Assert.Contains("the last ADPCM block holds 3 bytes, less than its 4-byte header", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x11, 1, 4, 6, "does not fit 1 channel(s)")]
    [InlineData(0x11, 1, 3, 256, "IMA ADPCM 3-bit")]
    [InlineData(0x02, 3, 4, 256, "Microsoft ADPCM with 3 channels")]
    public void An_fmt_chunk_no_decoder_could_follow_is_refused_by_name(int tag, int channels, int bits, int blockAlign, string words)
    {
        var path = _dir.File("bad-format.wav");
        File.WriteAllBytes(path, WavFiles.Handmade(tag, channels, 8000, bits, blockAlign, new byte[blockAlign * 2]));

        var error = Assert.Throws<AudioFormatException>(() => WavLoader.Load(path));

        Assert.Contains(words, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Samples_per_block_beyond_what_a_block_holds_is_refused()
    {
        var error = Assert.Throws<AudioFormatException>(() => AdpcmDecoder.Create("big.wav", ImaFormat(channels: 1, blockAlign: 8, samplesPerBlock: 10)));

        Assert.Contains("10 samples per IMA ADPCM block, a 8-byte block holds 1 to 9", error.Message, StringComparison.Ordinal);
    }

    private static string Fixture(string name) => Path.Combine(RepoPaths.Root, "tests", "VoiceBridge.Tests", "Media", "Adpcm", name);

    private static WaveFormat ImaFormat(int channels, int blockAlign, int samplesPerBlock)
    {
        using var stream = new MemoryStream(Riff(FmtChunk(0x11, channels, blockAlign, BitConverter.GetBytes((ushort)samplesPerBlock)), new byte[blockAlign]));
        using var reader = new WaveFileReader(stream);
        return reader.WaveFormat;
    }

    private static WaveFormat MicrosoftFormat(int blockAlign, int samplesPerBlock)
    {
        short[] coefficients = [256, 0, 512, -256, 0, 0, 192, 64, 240, 0, 460, -208, 392, -232];
        var extra = new byte[4 + (2 * coefficients.Length)];
        BinaryPrimitives.WriteUInt16LittleEndian(extra, (ushort)samplesPerBlock);
        BinaryPrimitives.WriteUInt16LittleEndian(extra.AsSpan(2), (ushort)(coefficients.Length / 2));
        for (var i = 0; i < coefficients.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(extra.AsSpan(4 + (2 * i)), coefficients[i]);
        }

        using var stream = new MemoryStream(Riff(FmtChunk(0x02, 1, blockAlign, extra), new byte[blockAlign]));
        using var reader = new WaveFileReader(stream);
        return reader.WaveFormat;
    }

    /// <summary>An fmt chunk's body: the 16 common bytes, cbSize and <paramref name="extra"/>.</summary>
    private static byte[] FmtChunk(int tag, int channels, int blockAlign, byte[] extra)
    {
        var body = new byte[18 + extra.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(body, (ushort)tag);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(2), (ushort)channels);
        BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(4), 8000);
        BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(8), 4000 * channels);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(12), (ushort)blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(14), 4);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(16), (ushort)extra.Length);
        extra.CopyTo(body.AsSpan(18));
        return body;
    }

    /// <summary>The fmt chunk's body and the data chunk's bytes of a RIFF/WAVE file.</summary>
    private static (byte[] Format, byte[] Data) FmtAndData(byte[] file)
    {
        byte[]? format = null;
        for (var at = 12; at + 8 <= file.Length;)
        {
            var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 4));
            var id = System.Text.Encoding.ASCII.GetString(file, at, 4);
            if (id == "fmt ")
            {
                format = file[(at + 8)..(at + 8 + size)];
            }
            else if (id == "data")
            {
                return (format!, file[(at + 8)..(at + 8 + size)]);
            }

            at += 8 + size + (size & 1);
        }

        throw new InvalidDataException("no data chunk");
    }

    /// <summary>A RIFF/WAVE file of an fmt chunk, an optional fact chunk and a data chunk.</summary>
    private static byte[] Riff(byte[] format, byte[] data, int? fact = null)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write("RIFF"u8);
        writer.Write(0);
        writer.Write("WAVE"u8);
        writer.Write("fmt "u8);
        writer.Write(format.Length);
        writer.Write(format);
        if (fact is { } samples)
        {
            writer.Write("fact"u8);
            writer.Write(4);
            writer.Write(samples);
        }

        writer.Write("data"u8);
        writer.Write(data.Length);
        writer.Write(data);
        if ((data.Length & 1) != 0)
        {
            writer.Write((byte)0);
        }

        writer.Flush();
        var bytes = stream.ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), bytes.Length - 8);
        return bytes;
    }
}
