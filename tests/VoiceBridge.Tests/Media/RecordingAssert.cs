using VoiceBridge.Media;

namespace VoiceBridge.Tests.Media;

/// <summary>Checks on recordings <see cref="WavLoader"/> refuses.</summary>
internal static class RecordingAssert
{
    /// <summary>Loading <paramref name="path"/> fails with an error naming the file and saying <paramref name="words"/>.</summary>
    public static AudioFormatException Refused(string path, string words)
    {
        var error = Assert.Throws<AudioFormatException>(() => WavLoader.Load(path));

        Assert.Contains(Path.GetFileName(path), error.Message, StringComparison.Ordinal);
        Assert.Contains(words, error.Message, StringComparison.Ordinal);
        return error;
    }
}
