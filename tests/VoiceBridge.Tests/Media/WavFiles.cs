using System.Buffers.Binary;
using System.Text;
using NAudio.Wave;
using VoiceBridge.Media;

namespace VoiceBridge.Tests.Media;

/// <summary>Writes test WAV files: well-formed ones through NAudio, malformed ones by hand.</summary>
internal static class WavFiles
{
    /// <summary>Writes <paramref name="channels"/> (each a signal in [-1, 1)) interleaved in <paramref name="format"/>.</summary>
    public static void Write(string path, WaveFormat format, IReadOnlyList<double[]> channels, SampleKind kind)
    {
        int sampleBytes = format.BitsPerSample / 8;
        int frames = channels[0].Length;
        var data = new byte[frames * format.Channels * sampleBytes];
        for (int f = 0; f < frames; f++)
        {
            for (int c = 0; c < format.Channels; c++)
            {
                EncodeSample(data.AsSpan(((f * format.Channels) + c) * sampleBytes, sampleBytes), channels[c][f], kind);
            }
        }

        using var writer = new WaveFileWriter(path, format);
        writer.Write(data);
    }

    /// <summary>A sine in [-1, 1): <paramref name="peak"/> times full scale.</summary>
    public static double[] Sine(double frequency, int sampleRate, int count, double peak) =>
        Enumerable.Range(0, count).Select(i => peak * Math.Sin(2 * Math.PI * frequency * i / sampleRate)).ToArray();

    /// <summary>A hand-written RIFF/WAVE file with one fmt chunk and a data chunk that may lie about its size.</summary>
    public static byte[] Handmade(int formatTag, int channels, int rate, int bits, int blockAlign, byte[] data, uint? declaredDataBytes = null)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream, Encoding.ASCII);
        writer.Write("RIFF"u8);
        writer.Write((uint)(4 + 8 + 16 + 8 + data.Length));
        writer.Write("WAVE"u8);
        writer.Write("fmt "u8);
        writer.Write(16);
        writer.Write((ushort)formatTag);
        writer.Write((ushort)channels);
        writer.Write(rate);
        writer.Write(rate * blockAlign);
        writer.Write((ushort)blockAlign);
        writer.Write((ushort)bits);
        writer.Write("data"u8);
        writer.Write(declaredDataBytes ?? (uint)data.Length);
        writer.Write(data);
        writer.Flush();
        return stream.ToArray();
    }

    private static void EncodeSample(Span<byte> target, double value, SampleKind kind)
    {
        double scaled = value * 32768;
        switch (kind, target.Length)
        {
            case (SampleKind.Pcm, 1):
                target[0] = (byte)Math.Clamp(Math.Round(value * 128) + 128, 0, 255);
                break;
            case (SampleKind.Pcm, 2):
                BinaryPrimitives.WriteInt16LittleEndian(target, (short)Math.Round(scaled));
                break;
            case (SampleKind.Pcm, 3):
                int value24 = (int)Math.Round(value * 8388608);
                target[0] = (byte)value24;
                target[1] = (byte)(value24 >> 8);
                target[2] = (byte)(value24 >> 16);
                break;
            case (SampleKind.Pcm, _):
                BinaryPrimitives.WriteInt32LittleEndian(target, (int)Math.Round(value * 2147483648.0));
                break;
            case (SampleKind.Float, 4):
                BinaryPrimitives.WriteSingleLittleEndian(target, (float)value);
                break;
            case (SampleKind.Float, _):
                BinaryPrimitives.WriteDoubleLittleEndian(target, value);
                break;
            case (SampleKind.MuLaw, _):
                target[0] = G711.LinearToMuLaw((short)Math.Round(scaled));
                break;
            default:
                target[0] = G711.LinearToALaw((short)Math.Round(scaled));
                break;
        }
    }
}

/// <summary>How a test WAV stores its samples.</summary>
internal enum SampleKind
{
    Pcm,
    Float,
    MuLaw,
    ALaw,
}
