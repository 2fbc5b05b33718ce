using System.Buffers.Binary;
using NAudio.Wave;

namespace VoiceBridge.Media;

public static partial class WavLoader
{
    /// <summary>
    /// A WAV of block-coded audio (IMA or Microsoft ADPCM, <see cref="AdpcmDecoder"/>; GSM 6.10,
    /// <see cref="Gsm610Decoder"/>), decoded block by block and cut to its fact chunk's length.
    /// </summary>
    private static CallerRecording LoadBlocks(string path, Stream stream, WaveFileReader reader, long dataStart, ChannelSelection channel)
    {
        var format = reader.WaveFormat;
        IBlockDecoder decoder = format.Encoding == WaveFormatEncoding.Gsm610 ? Gsm610Decoder.Create(path, format) : AdpcmDecoder.Create(path, format);
        if (format.SampleRate < MinSampleRate)
        {
            throw new AudioFormatException(path, $"invalid format: sample rate {format.SampleRate} Hz (at least {MinSampleRate} Hz)");
        }

        long dataBytes = DataChunkBytes(path, stream, reader, dataStart, wholeBlocks: false);
        long frames = decoder.FramesIn(path, dataBytes);
        if (FactSamples(path, stream) is { } fact)
        {
            // The blocks are padded to whole blocks: the fact chunk says where the audio ends.
            if (fact > frames)
            {
                throw new AudioFormatException(path, $"truncated: the fact chunk counts {fact} samples, the data chunk holds {frames}");
            }

            frames = fact;
        }

        if (frames == 0)
        {
            throw new AudioFormatException(path, "no audio: the data chunk holds zero samples");
        }

        var picker = new ChannelPicker(path, channel, format.Channels, format.SampleRate, frames, decoder.SamplesPerBlock);
        var block = new byte[decoder.BlockAlign];
        var pcm = new short[decoder.SamplesPerBlock * format.Channels];
        var values = new double[pcm.Length];
        stream.Position = dataStart;
        for (long remainingBytes = dataBytes, remainingFrames = frames; remainingFrames > 0;)
        {
            var length = (int)Math.Min(block.Length, remainingBytes);
            stream.ReadExactly(block, 0, length);
            var decoded = (int)Math.Min(decoder.Decode(path, block.AsSpan(0, length), pcm), remainingFrames);
            for (var i = 0; i < decoded * format.Channels; i++)
            {
                values[i] = pcm[i];
            }

            picker.Add(values, decoded);
            remainingBytes -= length;
            remainingFrames -= decoded;
        }

        var (samples, choice) = picker.Finish();
        return new CallerRecording(path, samples, format.SampleRate, format.Channels, decoder.Name, choice);
    }

    /// <summary>The sample frames the fact chunk before the data chunk declares, or null without one.</summary>
    private static long? FactSamples(string path, Stream stream)
    {
        Span<byte> header = stackalloc byte[8];
        stream.Position = 12;
        while (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) == header.Length && !header[..4].SequenceEqual("data"u8))
        {
            long size = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            if (header[..4].SequenceEqual("fact"u8))
            {
                if (size < 4 || stream.ReadAtLeast(header[..4], 4, throwOnEndOfStream: false) < 4)
                {
                    throw new AudioFormatException(path, $"invalid fact chunk: {size} bytes, a sample count needs 4");
                }

                // 0 is what a writer that never knew the length leaves (ffmpeg to a pipe): no count at all.
                var count = BinaryPrimitives.ReadUInt32LittleEndian(header);
                return count == 0 ? null : count;
            }

            stream.Position += size + (size & 1);
        }

        return null;
    }
}
