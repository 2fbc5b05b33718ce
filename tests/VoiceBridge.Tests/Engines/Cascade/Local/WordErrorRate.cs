using VoiceBridge.Engines.Cascade.Local;

namespace VoiceBridge.Tests.Engines.Cascade.Local;

/// <summary>
/// Word error rate: the word-level Levenshtein distance (substitutions + deletions + insertions) from
/// the reference to the hypothesis, over the number of reference words. Both texts are normalised
/// first (<see cref="PhraseNormalizer"/>: case, punctuation, numbers).
/// </summary>
internal static class WordErrorRate
{
    /// <summary>Edit distance in words and the reference's word count.</summary>
    public static (int Errors, int ReferenceWords) Count(string reference, string hypothesis)
    {
        var expected = PhraseNormalizer.Words(reference);
        var actual = PhraseNormalizer.Words(hypothesis);
        var previous = Enumerable.Range(0, actual.Count + 1).ToArray();
        var current = new int[actual.Count + 1];
        for (int i = 1; i <= expected.Count; i++)
        {
            current[0] = i;
            for (int j = 1; j <= actual.Count; j++)
            {
                int substitution = previous[j - 1] + (expected[i - 1] == actual[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return (previous[actual.Count], expected.Count);
    }

    /// <summary>Errors over reference words (0 for two empty texts; may exceed 1 with many insertions).</summary>
    public static double Of(string reference, string hypothesis)
    {
        var (errors, words) = Count(reference, hypothesis);
        return words == 0 ? (errors == 0 ? 0 : 1) : (double)errors / words;
    }
}
