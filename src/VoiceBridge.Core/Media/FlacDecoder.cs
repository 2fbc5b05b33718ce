using System.Buffers.Binary;
using System.Numerics;

namespace VoiceBridge.Media;

/// <summary>
/// FLAC recordings (RFC 9639: what archives and sox write losslessly) decoded by our own decoder, to
/// the sample: STREAMINFO, then frames of CONSTANT, VERBATIM, FIXED and LPC subframes with
/// partitioned Rice residuals, wasted bits and the three stereo decorrelations. Each frame's header
/// CRC-8 and whole-frame CRC-16 are checked, and anything malformed is named with its byte offset.
/// </summary>
internal static class FlacDecoder
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

    private static void Subframe(ref BitReader bits, int bitsPerSample, Span<long> samples)
    {
        if (bits.Read(1) != 0)
        {
            throw new FlacException("subframe padding bit set");
        }

        var type = (int)bits.Read(6);
        var wasted = 0;
        if (bits.Read(1) == 1)
        {
            wasted = bits.ReadUnary(bitsPerSample - 1) + 1;
            bitsPerSample -= wasted;
        }

        switch (type)
        {
            case 0:
                samples.Fill(bits.ReadSigned(bitsPerSample));
                break;
            case 1:
                for (var i = 0; i < samples.Length; i++)
                {
                    samples[i] = bits.ReadSigned(bitsPerSample);
                }

                break;
            case >= 8 and <= 12:
                Fixed(ref bits, bitsPerSample, type - 8, samples);
                break;
            case >= 32:
                Lpc(ref bits, bitsPerSample, type - 31, samples);
                break;
            default:
                throw new FlacException($"reserved subframe type {type}");
        }

        if (wasted > 0)
        {
            for (var i = 0; i < samples.Length; i++)
            {
                samples[i] <<= wasted;
            }
        }
    }

    private static void Fixed(ref BitReader bits, int bitsPerSample, int order, Span<long> s)
    {
        WarmUp(ref bits, bitsPerSample, order, s);
        Residual(ref bits, order, s);
        for (var i = order; i < s.Length; i++)
        {
            s[i] += order switch
            {
                0 => 0,
                1 => s[i - 1],
                2 => (2 * s[i - 1]) - s[i - 2],
                3 => (3 * s[i - 1]) - (3 * s[i - 2]) + s[i - 3],
                _ => (4 * s[i - 1]) - (6 * s[i - 2]) + (4 * s[i - 3]) - s[i - 4],
            };
        }
    }

    private static void Lpc(ref BitReader bits, int bitsPerSample, int order, Span<long> s)
    {
        WarmUp(ref bits, bitsPerSample, order, s);
        var precision = (int)bits.Read(4) + 1;
        if (precision == 16)
        {
            throw new FlacException("invalid LPC coefficient precision");
        }

        var shift = bits.ReadSigned(5);
        if (shift < 0)
        {
            throw new FlacException($"negative LPC shift {shift}");
        }

        Span<long> coefficients = stackalloc long[order];
        for (var j = 0; j < order; j++)
        {
            coefficients[j] = bits.ReadSigned(precision);
        }

        Residual(ref bits, order, s);
        for (var i = order; i < s.Length; i++)
        {
            long sum = 0;
            for (var j = 0; j < order; j++)
            {
                sum += coefficients[j] * s[i - j - 1];
            }

            s[i] += sum >> (int)shift;
        }
    }

    private static void WarmUp(ref BitReader bits, int bitsPerSample, int order, Span<long> s)
    {
        if (order > s.Length)
        {
            throw new FlacException($"predictor order {order} over a block of {s.Length} samples");
        }

        for (var i = 0; i < order; i++)
        {
            s[i] = bits.ReadSigned(bitsPerSample);
        }
    }

    /// <summary>The partitioned Rice residual (RFC 9639 9.2.7), written after the warm-up samples.</summary>
    private static void Residual(ref BitReader bits, int order, Span<long> s)
    {
        var method = (int)bits.Read(2);
        if (method > 1)
        {
            throw new FlacException($"reserved residual coding method {method}");
        }

        var parameterBits = method == 0 ? 4 : 5;
        var escape = (1 << parameterBits) - 1;
        var partitionOrder = (int)bits.Read(4);
        var partitions = 1 << partitionOrder;
        if (s.Length % partitions != 0 || (s.Length >> partitionOrder) < order)
        {
            throw new FlacException($"residual partition order {partitionOrder} does not fit a block of {s.Length} samples after {order} warm-up samples");
        }

        var i = order;
        for (var p = 0; p < partitions; p++)
        {
            var count = (s.Length >> partitionOrder) - (p == 0 ? order : 0);
            var parameter = (int)bits.Read(parameterBits);
            if (parameter == escape)
            {
                var width = (int)bits.Read(5);
                for (var n = 0; n < count; n++)
                {
                    s[i++] = width == 0 ? 0 : bits.ReadSigned(width);
                }

                continue;
            }

            for (var n = 0; n < count; n++)
            {
                var quotient = (long)bits.ReadUnary(MaxRiceQuotient);
                var folded = (quotient << parameter) | (long)bits.Read(parameter);
                s[i++] = (folded >> 1) ^ -(folded & 1);
            }
        }
    }

    private static void Decorrelate(int assignment, long[][] c, int blockSize)
    {
        for (var i = 0; i < blockSize; i++)
        {
            switch (assignment)
            {
                case 8:
                    c[1][i] = c[0][i] - c[1][i];
                    break;
                case 9:
                    c[0][i] += c[1][i];
                    break;
                case 10:
                    var mid = (c[0][i] << 1) | (c[1][i] & 1);
                    var side = c[1][i];
                    c[0][i] = (mid + side) >> 1;
                    c[1][i] = (mid - side) >> 1;
                    break;
            }
        }
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

    /// <summary>STREAMINFO (RFC 9639 8.2), the first metadata block.</summary>
    private sealed record StreamInfo(int MaxBlockSize, int SampleRate, int Channels, int BitsPerSample, long TotalSamples)
    {
        public static StreamInfo Read(string path, byte[] file, out int firstFrame)
        {
            StreamInfo? info = null;
            var at = 4;
            for (var last = false; !last;)
            {
                if (at + 4 > file.Length)
                {
                    throw new AudioFormatException(path, $"truncated: the FLAC metadata block at byte {at} is cut inside its header");
                }

                last = (file[at] & 0x80) != 0;
                var type = file[at] & 0x7F;
                var length = (file[at + 1] << 16) | (file[at + 2] << 8) | file[at + 3];
                at += 4;
                if (length > file.Length - at)
                {
                    throw new AudioFormatException(path, $"truncated: a FLAC metadata block declares {length} bytes, the file holds {file.Length - at}");
                }

                if (info is null && type != 0)
                {
                    throw new AudioFormatException(path, $"invalid FLAC stream: the first metadata block is of type {type}, not STREAMINFO");
                }

                if (type == 0 && info is null)
                {
                    info = Parse(path, file.AsSpan(at, length));
                }
                else if (type == 0)
                {
                    throw new AudioFormatException(path, "invalid FLAC stream: a second STREAMINFO block");
                }
                else if (type == 127)
                {
                    throw new AudioFormatException(path, "invalid FLAC metadata block type 127");
                }

                at += length;
            }

            firstFrame = at;
            return info!;
        }

        private static StreamInfo Parse(string path, ReadOnlySpan<byte> block)
        {
            if (block.Length != 34)
            {
                throw new AudioFormatException(path, $"invalid FLAC STREAMINFO: {block.Length} bytes, 34 expected");
            }

            int minBlock = BinaryPrimitives.ReadUInt16BigEndian(block);
            int maxBlock = BinaryPrimitives.ReadUInt16BigEndian(block[2..]);
            var packed = BinaryPrimitives.ReadUInt64BigEndian(block[10..]);
            var rate = (int)(packed >> 44);
            var channels = (int)((packed >> 41) & 7) + 1;
            var bits = (int)((packed >> 36) & 31) + 1;
            var total = (long)(packed & 0xF_FFFF_FFFF);
            if (minBlock < 16 || maxBlock < minBlock)
            {
                throw new AudioFormatException(path, $"invalid FLAC STREAMINFO: block sizes {minBlock} to {maxBlock} (16 to 65535)");
            }

            if (rate == 0 || bits < 4)
            {
                throw new AudioFormatException(path, $"invalid FLAC STREAMINFO: {rate} Hz, {bits}-bit samples");
            }

            if (rate < WavLoader.MinSampleRate || rate > MaxSampleRate)
            {
                throw new AudioFormatException(path, $"unsupported sample rate: {rate} Hz ({WavLoader.MinSampleRate} to {MaxSampleRate} Hz)");
            }

            return new StreamInfo(maxBlock, rate, channels, bits, total);
        }
    }

    /// <summary>Reads big-endian bit fields of a frame; running off the file's end is a <see cref="FlacException"/>.</summary>
    private ref struct BitReader(byte[] data, int byteOffset)
    {
        private readonly byte[] _data = data;
        private long _bit = byteOffset * 8L;

        public readonly int BytePosition => (int)(_bit >> 3);

        public ulong Read(int count)
        {
            if (_bit + count > _data.Length * 8L)
            {
                throw new FlacException("the frame runs past the end of the file");
            }

            // A byte at a time: the rest of the current byte, whole bytes, then the head of the last one.
            ulong value = 0;
            while (count > 0)
            {
                var used = (int)(_bit & 7);
                var take = Math.Min(8 - used, count);
                var bits = (_data[_bit >> 3] >> (8 - used - take)) & ((1 << take) - 1);
                value = (value << take) | (uint)bits;
                _bit += take;
                count -= take;
            }

            return value;
        }

        public long ReadSigned(int count)
        {
            if (count == 0)
            {
                return 0;
            }

            var value = (long)Read(count);
            return (value << (64 - count)) >> (64 - count);
        }

        /// <summary>Zeros before the next 1 bit (which is read too), at most <paramref name="limit"/>.</summary>
        public int ReadUnary(int limit)
        {
            var zeros = 0;
            while (true)
            {
                if (_bit >= _data.Length * 8L)
                {
                    throw new FlacException("the frame runs past the end of the file");
                }

                var used = (int)(_bit & 7);
                var rest = (_data[_bit >> 3] << used) & 0xFF;
                if (rest != 0)
                {
                    var leading = BitOperations.LeadingZeroCount((uint)rest) - 24;
                    zeros += leading;
                    _bit += leading + 1;
                    break;
                }

                zeros += 8 - used;
                _bit += 8 - used;
                if (zeros > limit)
                {
                    break;
                }
            }

            if (zeros > limit)
            {
                throw new FlacException($"a unary code longer than {limit} bits");
            }

            return zeros;
        }

        /// <summary>The frame or sample number, UTF-8 style in 1 to 7 bytes (RFC 9639 9.1.5); only its form is checked.</summary>
        public void ReadCodedNumber()
        {
            var first = (int)Read(8);
            var more = first switch
            {
                < 0x80 => 0,
                >= 0xC0 and < 0xE0 => 1,
                >= 0xE0 and < 0xF0 => 2,
                >= 0xF0 and < 0xF8 => 3,
                >= 0xF8 and < 0xFC => 4,
                >= 0xFC and < 0xFE => 5,
                0xFE => 6,
                _ => throw new FlacException($"invalid coded frame number byte 0x{first:X2}"),
            };
            for (var n = 0; n < more; n++)
            {
                if ((Read(8) & 0xC0) != 0x80)
                {
                    throw new FlacException("invalid coded frame number continuation byte");
                }
            }
        }

        public void AlignToByte() => _bit = (_bit + 7) & ~7L;
    }
}
