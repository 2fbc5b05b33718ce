using System.Buffers.Binary;
using NLayer;

namespace VoiceBridge.Media;

/// <summary>
/// MP3 recordings (Twilio offers its call recordings as MP3 beside WAV) decoded with NLayer, a
/// managed decoder, into the call's stream. The encoder's delay and padding written in a LAME/Lavc
/// <c>Info</c> tag are removed, with the decoder's own 529-sample delay, so the audio lines up with
/// the WAV it was made from; without a tag LAME's usual 576-sample delay is assumed and the padding
/// (under one frame of silence at the end) stays.
/// </summary>
internal static class Mp3Decoder
{
    /// <summary>The synthesis filterbank's delay every Layer III decoder adds, in samples.</summary>
    private const int DecoderDelay = 529;

    /// <summary>LAME's encoder delay, assumed when a file has no tag saying (sox writes LAME streams without one).</summary>
    private const int LameDelay = 576;

    private const int FramesPerRead = 4096;

    /// <summary>Bytes searched for the first frame (after an ID3v2 tag) and its Info tag.</summary>
    private const int HeaderProbeBytes = 64 * 1024;

    public static bool IsMp3Name(string path) => Path.GetExtension(path).Equals(".mp3", StringComparison.OrdinalIgnoreCase);

    /// <exception cref="AudioFormatException">Not a readable MP3, a rate NLayer decodes wrongly, or no audio.</exception>
    public static CallerRecording Load(string path, ChannelSelection channel)
    {
        try
        {
            var gapless = ReadGapless(path);
            using var mpeg = new MpegFile(path);
            int rate = mpeg.SampleRate, channels = mpeg.Channels;
            if (channels is < 1 or > 2 || rate < 1)
            {
                throw new AudioFormatException(path, $"not a readable MP3 file: {channels} channels at {rate} Hz");
            }

            // NLayer 3.0.1 misreads 8 kHz (MPEG-2.5) Layer III: out-of-range, garbled samples. A clear
            // refusal beats replaying noise as the caller.
            if (rate == 8000)
            {
                throw new AudioFormatException(path, $"unsupported MP3: 8000 Hz MP3 is not decoded correctly by the MP3 decoder in use (NLayer 3.0.1); convert it to WAV first, e.g. sox {Path.GetFileName(path)} {Path.GetFileNameWithoutExtension(path)}.wav");
            }

            long decoded = mpeg.Length / sizeof(float) / channels;
            var (delay, padding) = gapless ?? (LameDelay, 0);
            long skip = delay + DecoderDelay;
            long keep = decoded - delay - padding;
            if (keep <= 0)
            {
                throw new AudioFormatException(path, "no audio: the MP3 holds no decodable frames");
            }

            var samples = Decode(path, mpeg, channel, skip, keep, out var choice);
            return new CallerRecording(path, samples, rate, channels, $"MP3 (MPEG {Describe(gapless)})", choice);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or IndexOutOfRangeException or ArgumentException or NullReferenceException)
        {
            // NLayer reports a stream it cannot sync to as InvalidDataException; damaged frames can
            // surface as index or argument errors from inside the decoder.
            throw new AudioFormatException(path, $"not a readable MP3 file: {e.Message}");
        }
    }

    private static short[] Decode(string path, MpegFile mpeg, ChannelSelection channel, long skip, long keep, out string choice)
    {
        int channels = mpeg.Channels;
        var picker = new WavLoader.ChannelPicker(path, channel, channels, mpeg.SampleRate, keep, FramesPerRead);
        var floats = new float[FramesPerRead * channels];
        var values = new double[FramesPerRead * channels];
        long position = 0, taken = 0;
        while (taken < keep)
        {
            int read = mpeg.ReadSamples(floats.AsSpan()) / channels;
            if (read <= 0)
            {
                break;
            }

            int from = (int)Math.Clamp(skip - position, 0, read);
            int frames = (int)Math.Min(read - from, keep - taken);
            for (int i = 0; i < frames * channels; i++)
            {
                values[i] = Math.Clamp(floats[(from * channels) + i], -1f, 1f) * 32768.0;
            }

            picker.Add(values, frames);
            position += read;
            taken += frames;
        }

        if (taken == 0)
        {
            throw new AudioFormatException(path, "no audio: no MP3 frame could be decoded");
        }

        (var samples, choice) = picker.Finish();
        return samples;
    }

    private static string Describe((int Delay, int Padding)? gapless) =>
        gapless is { } g ? $"Layer III, encoder delay {g.Delay} and padding {g.Padding} samples removed" : $"Layer III, no gapless tag: {LameDelay} samples of encoder delay assumed";

    /// <summary>
    /// The encoder delay and padding (samples) from the LAME extension of a Xing/Info tag in the first
    /// frame (LAME and FFmpeg write it), or null when the file has none.
    /// </summary>
    private static (int Delay, int Padding)? ReadGapless(string path)
    {
        var head = new byte[HeaderProbeBytes];
        int length;
        using (var file = File.OpenRead(path))
        {
            length = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        var bytes = head.AsSpan(0, length);
        int p = 0;
        if (bytes.Length >= 10 && bytes[..3].SequenceEqual("ID3"u8))
        {
            // ID3v2: a 10-byte header, a syncsafe size, and a 10-byte footer when flag 0x10 is set.
            int size = (bytes[6] << 21) | (bytes[7] << 14) | (bytes[8] << 7) | bytes[9];
            p = 10 + size + ((bytes[5] & 0x10) != 0 ? 10 : 0);
        }

        if (p + 4 > bytes.Length || bytes[p] != 0xFF || (bytes[p + 1] & 0xE0) != 0xE0)
        {
            return null;
        }

        bool mpeg1 = ((bytes[p + 1] >> 3) & 3) == 3;
        bool mono = ((bytes[p + 3] >> 6) & 3) == 3;
        int sideInfo = (mpeg1, mono) switch
        {
            (true, true) => 17,
            (true, false) => 32,
            (false, true) => 9,
            _ => 17,
        };
        int tag = p + 4 + sideInfo;
        if (tag + 8 > bytes.Length || !(bytes.Slice(tag, 4).SequenceEqual("Xing"u8) || bytes.Slice(tag, 4).SequenceEqual("Info"u8)))
        {
            return null;
        }

        uint flags = BinaryPrimitives.ReadUInt32BigEndian(bytes.Slice(tag + 4, 4));
        int extension = tag + 8 + ((flags & 1) != 0 ? 4 : 0) + ((flags & 2) != 0 ? 4 : 0) + ((flags & 4) != 0 ? 100 : 0) + ((flags & 8) != 0 ? 4 : 0);

        // The extension: a 9-byte encoder name, then 12 bytes of settings, then delay and padding in 3 bytes.
        if (extension + 24 > bytes.Length || !(bytes.Slice(extension, 4).SequenceEqual("LAME"u8) || bytes.Slice(extension, 4).SequenceEqual("Lavc"u8)))
        {
            return null;
        }

        var gapless = bytes.Slice(extension + 21, 3);
        return ((gapless[0] << 4) | (gapless[1] >> 4), ((gapless[1] & 0x0F) << 8) | gapless[2]);
    }
}
