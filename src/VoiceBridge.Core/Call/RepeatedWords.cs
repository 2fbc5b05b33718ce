namespace VoiceBridge.Call;

/// <summary>
/// FAILOVER.md's <c>repeatedAgentWords</c>: words the caller heard twice across a switch, the
/// longest run of words that ends what the caller heard of the old engine's last reply and starts
/// the new engine's first reply. Counted only when that first reply follows the cut one with no
/// caller turn between them: then it carries the old reply on, and an overlap is an echo. When the
/// caller spoke in between, the new reply answers the caller, and a first word shared with the cut
/// reply ("Thank-" ... caller ... "Thank you for calling") is not something said twice.
/// </summary>
internal static class RepeatedWords
{
    /// <param name="turns">The conversation, in order.</param>
    /// <param name="before">The old engine's last reply the caller heard (null: none).</param>
    /// <param name="after">The new engine's first reply (null: none).</param>
    public static int Count(IReadOnlyList<ConversationTurn> turns, ConversationTurn? before, ConversationTurn? after)
    {
        if (before is null || after is null)
        {
            return 0;
        }

        var from = IndexOf(turns, before);
        var to = IndexOf(turns, after);
        for (var i = from + 1; i < to; i++)
        {
            if (turns[i].Role == TurnRole.User)
            {
                return 0;
            }
        }

        return Overlap(Words(before.HeardText ?? before.Text), Words(after.HeardText ?? after.Text));
    }

    private static int IndexOf(IReadOnlyList<ConversationTurn> turns, ConversationTurn turn)
    {
        for (var i = 0; i < turns.Count; i++)
        {
            if (ReferenceEquals(turns[i], turn))
            {
                return i;
            }
        }

        return -1;
    }

    private static string[] Words(string text) =>
        [.. text.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => w.Trim('.', ',', '!', '?', ';', ':'))];

    private static int Overlap(string[] before, string[] after)
    {
        for (var k = Math.Min(before.Length, after.Length); k > 0; k--)
        {
            if (before.AsSpan(before.Length - k).SequenceEqual(after.AsSpan(0, k)))
            {
                return k;
            }
        }

        return 0;
    }
}
