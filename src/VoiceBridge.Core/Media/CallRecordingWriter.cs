using NAudio.Wave;

namespace VoiceBridge.Media;

/// <summary>Writes call audio as 16-bit PCM WAV files.</summary>
public static class CallRecordingWriter
{
    private const int FramesPerWrite = 4096;

    /// <summary>
    /// Writes an 8 kHz 16-bit stereo WAV: <paramref name="left"/> on channel 0, <paramref name="right"/> on
    /// channel 1; the shorter channel is padded with silence.
    /// </summary>
    public static void WriteStereo(string path, ReadOnlySpan<short> left, ReadOnlySpan<short> right)
    {
        using var writer = new WaveFileWriter(path, new WaveFormat(CallClock.SampleRate, 16, 2));
        int frames = Math.Max(left.Length, right.Length);
        var interleaved = new short[FramesPerWrite * 2];
        for (int start = 0; start < frames; start += FramesPerWrite)
        {
            int count = Math.Min(FramesPerWrite, frames - start);
            for (int i = 0; i < count; i++)
            {
                int index = start + i;
                interleaved[2 * i] = index < left.Length ? left[index] : (short)0;
                interleaved[(2 * i) + 1] = index < right.Length ? right[index] : (short)0;
            }

            writer.WriteSamples(interleaved, 0, count * 2);
        }
    }

    /// <summary>Writes a mono 16-bit WAV at <paramref name="sampleRate"/> Hz.</summary>
    public static void WriteMono(string path, ReadOnlySpan<short> samples, int sampleRate)
    {
        using var writer = new WaveFileWriter(path, new WaveFormat(sampleRate, 16, 1));
        var chunk = new short[FramesPerWrite];
        for (int start = 0; start < samples.Length; start += FramesPerWrite)
        {
            int count = Math.Min(FramesPerWrite, samples.Length - start);
            samples.Slice(start, count).CopyTo(chunk);
            writer.WriteSamples(chunk, 0, count);
        }
    }
}
