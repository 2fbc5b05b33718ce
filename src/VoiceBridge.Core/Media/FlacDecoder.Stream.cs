using System.Buffers.Binary;
using System.Numerics;

namespace VoiceBridge.Media;

internal static partial class FlacDecoder
{
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
