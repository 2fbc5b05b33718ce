namespace VoiceBridge.Call;

/// <summary>
/// What the caller heard of a reply cut short, until engines give word timings: the words in
/// proportion to the audio heard, but never more than a fast talker says in that time (3 words a
/// second), because a cut reply's text may run ahead of the audio that was ever produced.
/// </summary>
public static class HeardText
{
    public const double MaxWordsPerSecond = 3.0;

    /// <summary>
    /// The words heard: whole words only, or, with <paramref name="begun"/>, every word whose start
    /// was played (a reply cut by a handoff is continued after the word it stopped in, so that no
    /// audio the caller heard is said again).
    /// </summary>
    public static string Estimate(string text, long heardMs, long audioMs, bool begun = false)
    {
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var byAudio = audioMs <= 0 ? 0 : words.Length * Math.Min(1.0, (double)heardMs / audioMs);
        var byRate = heardMs / 1000.0 * MaxWordsPerSecond;
        var heard = Math.Min(byAudio, byRate);
        return string.Join(' ', words.Take((int)(begun ? Math.Ceiling(heard) : Math.Floor(heard))));
    }
}
