namespace VoiceBridge.Media;

/// <summary>
/// FLAC recordings (RFC 9639: what archives and sox write losslessly) decoded by our own decoder, to
/// the sample: STREAMINFO, then frames of CONSTANT, VERBATIM, FIXED and LPC subframes with
/// partitioned Rice residuals, wasted bits and the three stereo decorrelations. Each frame's header
/// CRC-8 and whole-frame CRC-16 are checked, and anything malformed is named with its byte offset.
/// </summary>
internal static partial class FlacDecoder
{
    /// <summary>A Rice quotient this long is no encoder's choice: a residual of 2^(20 + parameter) or more.</summary>
    private const int MaxRiceQuotient = 1 << 20;

    /// <summary>The largest FLAC file read [1 GiB]: 4 hours of 16-bit stereo at 48 kHz is about 1.4 GB raw, 0.8 GB as FLAC.</summary>
    private const long MaxFileBytes = 1L << 30;

    /// <summary>The highest sample rate decoded: what the highest-rate recorders write (a header may claim up to 1 MHz).</summary>
    private const int MaxSampleRate = 384_000;

    private static readonly uint[] Crc8Table = MsbFirstCrc.Table(8, 0x07);
    private static readonly uint[] Crc16Table = MsbFirstCrc.Table(16, 0x8005);

    public static bool StartsLikeFlac(ReadOnlySpan<byte> head) => head.StartsWith("fLaC"u8);

    /// <exception cref="AudioFormatException">Not a well-formed FLAC stream, or no audio in it.</exception>
    public static CallerRecording Load(string path, ChannelSelection channel)
    {
        var file = WavLoader.ReadWholeFile(path, MaxFileBytes, "a FLAC file");
        var info = StreamInfo.Read(path, file, out var firstFrame);

        // STREAMINFO may leave the length unknown (0, a streaming encoder): then the frames are counted first.
        var total = info.TotalSamples > 0 ? info.TotalSamples : Decode(path, file, firstFrame, info, null);
        var picker = new WavLoader.ChannelPicker(path, channel, info.Channels, info.SampleRate, total, info.MaxBlockSize);
        var values = new double[info.MaxBlockSize * info.Channels];
        var scale = Math.Pow(2, 16 - info.BitsPerSample);
        var decoded = Decode(path, file, firstFrame, info, (block, frames) =>
        {
            for (var i = 0; i < frames; i++)
            {
                for (var c = 0; c < info.Channels; c++)
                {
                    values[(i * info.Channels) + c] = block[c][i] * scale;
                }
            }

            picker.Add(values, frames);
        });
        if (decoded != total)
        {
            throw new AudioFormatException(path, $"truncated: STREAMINFO counts {total} samples, the frames hold {decoded}");
        }

        var (samples, choice) = picker.Finish();
        return new CallerRecording(path, samples, info.SampleRate, info.Channels, $"FLAC {info.BitsPerSample}-bit", choice);
    }

    /// <summary>The stream's samples as they are coded (interleaved, at the stream's own depth), before any conversion.</summary>
    /// <exception cref="AudioFormatException">Not a well-formed FLAC stream, or no audio in it.</exception>
    internal static (int Channels, int BitsPerSample, long[] Interleaved) ReadSamples(string path)
    {
        var file = WavLoader.ReadWholeFile(path, MaxFileBytes, "a FLAC file");
        var info = StreamInfo.Read(path, file, out var firstFrame);
        var interleaved = new List<long>();
        Decode(path, file, firstFrame, info, (block, frames) =>
        {
            for (var i = 0; i < frames; i++)
            {
                for (var c = 0; c < info.Channels; c++)
                {
                    interleaved.Add(block[c][i]);
                }
            }
        });
        return (info.Channels, info.BitsPerSample, [.. interleaved]);
    }

    /// <summary>Decodes every frame, handing each block (per channel, its length) to <paramref name="sink"/> when given; returns the samples per channel.</summary>
    private static long Decode(string path, byte[] file, int at, StreamInfo info, Action<long[][], int>? sink)
    {
        var channels = new long[info.Channels][];
        for (var c = 0; c < channels.Length; c++)
        {
            channels[c] = new long[info.MaxBlockSize];
        }

        var maxSamples = WavLoader.ChannelPicker.MaxRecordingSeconds * info.SampleRate;
        long samples = 0;
        while (at < file.Length && !IsId3v1Tag(file.AsSpan(at)))
        {
            var frameStart = at;
            int blockSize;
            try
            {
                blockSize = DecodeFrame(file, ref at, info, channels);
            }
            catch (FlacException e)
            {
                throw new AudioFormatException(path, $"corrupt FLAC frame at byte {frameStart}: {e.Message}");
            }

            sink?.Invoke(channels, blockSize);
            samples += blockSize;
            if (info.TotalSamples > 0 && samples > info.TotalSamples)
            {
                throw new AudioFormatException(path, $"corrupt FLAC stream: the frames hold more than the {info.TotalSamples} samples STREAMINFO counts");
            }

            if (samples > maxSamples)
            {
                throw new AudioFormatException(path, $"too long: more than {WavLoader.ChannelPicker.MaxRecordingSeconds / 3600} hours of FLAC audio, a recording may hold at most that");
            }
        }

        if (samples == 0)
        {
            throw new AudioFormatException(path, "no audio: the FLAC stream holds no frames");
        }

        return samples;
    }

    /// <summary>Some taggers append an ID3v1 tag (128 bytes, "TAG") to a FLAC file: it ends the frames.</summary>
    private static bool IsId3v1Tag(ReadOnlySpan<byte> rest) => rest.Length == 128 && rest.StartsWith("TAG"u8);

    /// <summary>One frame (RFC 9639 9): header, a subframe per channel, padding, CRC-16; returns its block size.</summary>
    private static int DecodeFrame(byte[] file, ref int at, StreamInfo info, long[][] output)
    {
        var bits = new BitReader(file, at);
        if (bits.Read(15) != 0x7FFC)
        {
            throw new FlacException("no frame sync code");
        }

        bits.Read(1); // blocking strategy: fixed or variable, both decode alike here
        var blockSizeCode = (int)bits.Read(4);
        var rateCode = (int)bits.Read(4);
        var assignment = (int)bits.Read(4);
        var sizeCode = (int)bits.Read(3);
        if (bits.Read(1) != 0)
        {
            throw new FlacException("reserved header bit set");
        }

        bits.ReadCodedNumber();
        var blockSize = blockSizeCode switch
        {
            0 => throw new FlacException("reserved block size code 0"),
            1 => 192,
            <= 5 => 576 << (blockSizeCode - 2),
            6 => (int)bits.Read(8) + 1,
            7 => (int)bits.Read(16) + 1,
            _ => 256 << (blockSizeCode - 8),
        };
        switch (rateCode)
        {
            case 12:
                bits.Read(8);
                break;
            case 13 or 14:
                bits.Read(16);
                break;
            case 15:
                throw new FlacException("invalid sample rate code 15");
        }

        var bitsPerSample = sizeCode switch
        {
            0 => info.BitsPerSample,
            1 => 8,
            2 => 12,
            4 => 16,
            5 => 20,
            6 => 24,
            7 => 32,
            _ => throw new FlacException("reserved sample size code 3"),
        };
        if (bitsPerSample != info.BitsPerSample)
        {
            throw new FlacException($"{bitsPerSample}-bit samples in a {info.BitsPerSample}-bit stream");
        }

        var channels = assignment < 8 ? assignment + 1 : assignment <= 10 ? 2 : throw new FlacException($"reserved channel assignment {assignment}");
        if (channels != info.Channels)
        {
            throw new FlacException($"{channels} channels in a {info.Channels}-channel stream");
        }

        if (blockSize > info.MaxBlockSize)
        {
            throw new FlacException($"block of {blockSize} samples, STREAMINFO's largest is {info.MaxBlockSize}");
        }

        var headerEnd = bits.BytePosition;
        var crc8 = (byte)bits.Read(8);
        if (crc8 != Crc8(file.AsSpan(at, headerEnd - at)))
        {
            throw new FlacException("header CRC-8 mismatch");
        }

        for (var c = 0; c < channels; c++)
        {
            // The side channel of a decorrelated pair carries one bit more.
            var side = (assignment == 8 && c == 1) || (assignment == 9 && c == 0) || (assignment == 10 && c == 1);
            Subframe(ref bits, bitsPerSample + (side ? 1 : 0), output[c].AsSpan(0, blockSize));
        }

        bits.AlignToByte();
        var frameEnd = bits.BytePosition;
        var crc16 = (ushort)bits.Read(16);
        if (crc16 != Crc16(file.AsSpan(at, frameEnd - at)))
        {
            throw new FlacException("frame CRC-16 mismatch");
        }

        Decorrelate(assignment, output, blockSize);
        at = bits.BytePosition;
        return blockSize;
    }

    /// <summary>The frame header's CRC-8 (polynomial 0x07).</summary>
    internal static byte Crc8(ReadOnlySpan<byte> bytes)
    {
        byte crc = 0;
        foreach (var b in bytes)
        {
            crc = (byte)Crc8Table[crc ^ b];
        }

        return crc;
    }

    /// <summary>The frame's CRC-16 (polynomial 0x8005).</summary>
    internal static ushort Crc16(ReadOnlySpan<byte> bytes)
    {
        ushort crc = 0;
        foreach (var b in bytes)
        {
            crc = (ushort)((crc << 8) ^ Crc16Table[(crc >> 8) ^ b]);
        }

        return crc;
    }

    /// <summary>A malformed frame; <see cref="Decode"/> names its offset.</summary>
    private sealed class FlacException(string message) : Exception(message);
}
