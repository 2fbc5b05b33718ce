using System.Buffers.Binary;
using VoiceBridge.Media;

namespace VoiceBridge.Fuzzing;

public static partial class FuzzTargets
{
    /// <summary>
    /// The Ogg decoders behind the page CRC: the wav target's mutations of an Ogg file almost always
    /// break a page's CRC, which the loader refuses before any packet is decoded, so this target
    /// rewrites the CRC of every whole page of a mutated input first and the mutated packets reach
    /// Concentus (Opus) and NVorbis (Vorbis).
    /// </summary>
    private static FuzzTarget Ogg()
    {
        string path = Path.Combine(Path.GetTempPath(), $"voicebridge-fuzz-{Environment.ProcessId}.ogg");
        return new FuzzTarget(
            "ogg",
            "WavLoader.Load on Ogg Opus and Vorbis files whose pages' CRCs are rewritten after mutation, so mutated headers and audio packets reach the decoders (Concentus, NVorbis)",
            [OggOpusBytes(), OggVorbisBytes()],
            input =>
            {
                var bytes = input.ToArray();
                RewritePageCrcs(bytes);
                File.WriteAllBytes(path, bytes);
                try
                {
                    _ = WavLoader.Load(path);
                }
                catch (AudioFormatException)
                {
                    // WavLoader documents AudioFormatException, naming the file and the problem, for every bad file.
                }
            })
        {
            Dictionary = [.. Utf8("OggS", "OpusHead", "OpusTags", "\u0001vorbis", "\u0003vorbis", "\u0005vorbis"), [0xFF, 0xFF, 0xFF, 0xFF], [0x40, 0x1F, 0, 0], [0x80, 0xBB, 0, 0]],
            MaxInputBytes = 16 * 1024,

            // As for the wav target: an odd sample rate in a header designs a long resampling filter (at most 8 MiB).
            MaxAllocatedBytes = 16 << 20,
            HangAfter = TimeSpan.FromSeconds(5),
        };
    }

    /// <summary>An Ogg Vorbis file made by libvorbis (no Vorbis encoder runs in .NET), embedded in this assembly.</summary>
    private static byte[] OggVorbisBytes()
    {
        using var seed = typeof(FuzzTargets).Assembly.GetManifestResourceStream("VoiceBridge.Fuzzing.vorbis-8k.ogg")
            ?? throw new InvalidOperationException("the Ogg Vorbis fuzz seed is missing from the assembly");
        using var bytes = new MemoryStream();
        seed.CopyTo(bytes);
        return bytes.ToArray();
    }

    /// <summary>Rewrites the CRC of each page from the start that is whole, stopping where no page starts.</summary>
    private static void RewritePageCrcs(byte[] bytes)
    {
        for (var at = 0; at + 27 <= bytes.Length && bytes.AsSpan(at).StartsWith("OggS"u8);)
        {
            if (at + 27 + bytes[at + 26] > bytes.Length)
            {
                return;
            }

            var length = OggOpusDecoder.PageLength(bytes.AsSpan(at));
            if (at + length > bytes.Length)
            {
                return;
            }

            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at + 22), OggOpusDecoder.Crc(bytes.AsSpan(at, length)));
            at += length;
        }
    }
}
