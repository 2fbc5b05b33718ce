using System.Buffers.Binary;

namespace VoiceBridge.Media;

public static partial class WavLoader
{
    /// <summary>
    /// A WAV whose writer never went back to fill in its sizes (it crashed, or streamed: Asterisk,
    /// GStreamer and others leave 0 there): a RIFF size that does not reach the data chunk, or a data
    /// size of 0 with audio after it (not more chunks). Both are read as ffmpeg's pipe output is, as
    /// 0xFFFFFFFF ("to the end of the file"), through <see cref="SizePatchedStream"/>; a well-formed
    /// file is read as it is.
    /// </summary>
    private static Stream WithUnfinishedSizes(Stream stream)
    {
        Span<byte> header = stackalloc byte[8];
        stream.Position = 4;
        stream.ReadExactly(header[..4]);
        long riffSize = BinaryPrimitives.ReadUInt32LittleEndian(header);
        long? dataSizeAt = null;
        for (long at = 12; at + 8 <= stream.Length;)
        {
            stream.Position = at;
            stream.ReadExactly(header);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            if (header[..4].SequenceEqual("data"u8))
            {
                dataSizeAt = at + 4;
                break;
            }

            at += 8 + size + (size & 1);
        }

        stream.Position = 0;
        if (dataSizeAt is not { } sizeAt)
        {
            return stream;
        }

        var patches = new List<long>();
        if (riffSize != uint.MaxValue && riffSize + 8 < sizeAt + 4)
        {
            patches.Add(4);
        }

        stream.Position = sizeAt;
        stream.ReadExactly(header[..4]);
        stream.Position = 0;
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) == 0 && !OnlyChunksFrom(stream, sizeAt + 4))
        {
            patches.Add(sizeAt);
        }

        return patches.Count == 0 ? stream : new SizePatchedStream(stream, patches);
    }

    /// <summary>Whether the bytes from <paramref name="at"/> to the end are nothing, or whole chunks (ASCII IDs, sizes that fit).</summary>
    private static bool OnlyChunksFrom(Stream stream, long at)
    {
        Span<byte> header = stackalloc byte[8];
        while (at < stream.Length)
        {
            stream.Position = at;
            if (stream.ReadAtLeast(header, 8, throwOnEndOfStream: false) < 8 || !AsciiId(header[..4]))
            {
                stream.Position = 0;
                return false;
            }

            long size = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            at += 8 + size + (size & 1);
        }

        stream.Position = 0;
        return at <= stream.Length + 1;
    }

    private static bool AsciiId(ReadOnlySpan<byte> id)
    {
        foreach (var b in id)
        {
            if (b is < 0x20 or > 0x7E)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A read-only view of a stream with some 32-bit size fields read as 0xFFFFFFFF.</summary>
    private sealed class SizePatchedStream(Stream inner, IReadOnlyList<long> patches) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var from = inner.Position;
            var n = inner.Read(buffer);
            foreach (var patch in patches)
            {
                for (var i = Math.Max(patch, from); i < Math.Min(patch + 4, from + n); i++)
                {
                    buffer[(int)(i - from)] = 0xFF;
                }
            }

            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
