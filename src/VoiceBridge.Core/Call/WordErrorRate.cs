using VoiceBridge.Engines.Cascade.Local;

namespace VoiceBridge.Call;

/// <summary>
/// Word error rate of a hypothesis against a reference transcript: (substitutions + deletions +
/// insertions) / reference words, by word-level edit distance, on normalised words (engines
/// punctuate, capitalise and write numbers differently; that is not what a caller said). Used by
/// shadow mode to compare two engines' transcripts of one caller turn, and by the local
/// recogniser's accuracy tests.
/// </summary>
public static class WordErrorRate
{
    /// <summary>Words beyond this many (in either text) are not compared: a caller turn's transcript is far shorter, and the distance is quadratic.</summary>
    public const int MaxWords = 500;

    /// <summary>Characters of a text looked at, so an absurd transcript costs bounded work.</summary>
    private const int MaxChars = 10_000;

    /// <summary>The rate, 0 for identical word sequences, possibly above 1 (insertions); null when the reference has no words.</summary>
    public static double? Compute(string reference, string hypothesis)
    {
        var (errors, words) = Count(reference, hypothesis);
        return words == 0 ? null : (double)errors / words;
    }

    /// <summary>The edit distance in words and the reference's word count (for rates pooled over many turns).</summary>
    public static (int Errors, int ReferenceWords) Count(string reference, string hypothesis)
    {
        string[] r = [.. Words(reference)];
        string[] h = [.. Words(hypothesis)];
        return (EditDistance.Of<string>(r, h), r.Length);
    }

    /// <summary>
    /// The words of <paramref name="text"/> as the local recogniser's dictionary spells them
    /// (<see cref="PhraseNormalizer"/>: lower case, punctuation dropped, numbers spelled out, so
    /// "10" and "ten" agree), at most <see cref="MaxWords"/>.
    /// </summary>
    public static IReadOnlyList<string> Words(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        var words = PhraseNormalizer.Words(text.Length > MaxChars ? text[..MaxChars] : text);
        return words.Count > MaxWords ? [.. words.Take(MaxWords)] : words;
    }
}
