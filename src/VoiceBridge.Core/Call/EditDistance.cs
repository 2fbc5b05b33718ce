namespace VoiceBridge.Call;

/// <summary>Levenshtein distance (insertions, deletions and substitutions, each 1) over two rows.</summary>
public static class EditDistance
{
    /// <summary>Edits that turn <paramref name="a"/> into <paramref name="b"/>: words of a transcript, or characters of a name.</summary>
    public static int Of<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b)
        where T : IEquatable<T>
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1].Equals(b[j - 1]) ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
