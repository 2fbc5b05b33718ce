namespace VoiceBridge.Media;

public static partial class WavLoader
{
    /// <summary>Reads the file's first bytes (as many as <paramref name="head"/> holds, fewer in a shorter file).</summary>
    private static int ReadHead(string path, Span<byte> head)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new AudioFormatException(path, $"cannot read the file: {ex.Message}");
        }
    }

    /// <summary>
    /// An MP3 whatever its name (a download saved as .wav): an ID3v2 tag, or an MPEG audio frame header
    /// (sync, then no reserved version, layer, bitrate or sample rate).
    /// </summary>
    private static bool StartsLikeMp3(ReadOnlySpan<byte> head) =>
        head.StartsWith("ID3"u8)
        || (head.Length >= 3 && head[0] == 0xFF && (head[1] & 0xE0) == 0xE0 && ((head[1] >> 3) & 3) != 1 && ((head[1] >> 1) & 3) != 0
            && (head[2] >> 4) != 15 && ((head[2] >> 2) & 3) != 3);

    /// <summary>What a recording that is not a WAV is, by the magic its container starts with, or null.</summary>
    private static string? OtherContainer(ReadOnlySpan<byte> head) => head switch
    {
        _ when head.StartsWith("#!AMR"u8) => "an AMR file (a phone's voice recording)",
        _ when head.StartsWith("caff"u8) => "a Core Audio (CAF) file",
        _ when head.Length >= 8 && head[4..8].SequenceEqual("ftyp"u8) => "an MP4/M4A file",
        _ when head.Length >= 2 && head[0] == 0xFF && (head[1] & 0xF6) == 0xF0 => "an AAC (ADTS) stream",
        _ when head.StartsWith((ReadOnlySpan<byte>)[0x72, 0x69, 0x66, 0x66, 0x2E, 0x91, 0xCF, 0x11]) => "a Sony Wave64 (W64) file",
        _ when head.StartsWith((ReadOnlySpan<byte>)[0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11]) => "a Windows Media (ASF/WMA) file",
        _ => null,
    };

    /// <summary>A compressed recording read whole (its decoder walks it in memory), refused over <paramref name="maxBytes"/>.</summary>
    /// <exception cref="AudioFormatException">The file is larger than that, or cannot be read.</exception>
    internal static byte[] ReadWholeFile(string path, long maxBytes, string kind)
    {
        try
        {
            var length = new FileInfo(path).Length;
            if (length > maxBytes)
            {
                throw new AudioFormatException(path, $"too large: {length / (1024 * 1024)} MiB, {kind} may hold at most {maxBytes / (1024 * 1024)} MiB");
            }

            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new AudioFormatException(path, $"cannot read the file: {ex.Message}");
        }
    }
}
