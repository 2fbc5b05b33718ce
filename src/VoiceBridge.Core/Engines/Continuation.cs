namespace VoiceBridge.Engines;

/// <summary>
/// A reply cut off by a handoff (FAILOVER.md, handoff step 5): the next engine is seeded with what
/// the caller heard of it and asked to continue from there rather than start over. One wording for
/// every engine (a Realtime <c>response.instructions</c>, a cascade's system message), and the
/// rule the scripted stand-ins for a model (the simulator, the local dialog) follow: say the rest
/// of the reply they would have given when what was heard begins it, else the whole reply.
/// </summary>
public static class Continuation
{
    /// <summary>Starts every continuation instruction, so stand-ins can recognise one.</summary>
    public const string Marker = "[continue]";

    /// <summary>The instruction for a reply of which the caller heard <paramref name="heard"/>.</summary>
    public static string Instruction(string heard) =>
        $"{Marker} Your previous reply was cut off by a technical problem. The caller heard only: \"{heard}\". " +
        "Continue that reply from exactly where it stopped, in the same voice, without repeating those words and without starting over.";

    /// <summary>What was heard, when <paramref name="instruction"/> is a continuation instruction.</summary>
    public static string? HeardOf(string? instruction)
    {
        var at = instruction?.IndexOf(Marker, StringComparison.Ordinal) ?? -1;
        if (at < 0)
        {
            return null;
        }

        const string Lead = "The caller heard only: \"";
        var start = instruction!.IndexOf(Lead, at, StringComparison.Ordinal);
        var end = start < 0 ? -1 : instruction.IndexOf("\". ", start + Lead.Length, StringComparison.Ordinal);
        return end < 0 ? "" : instruction[(start + Lead.Length)..end];
    }

    /// <summary>
    /// What a stand-in says to continue: the words of <paramref name="reply"/> after the heard words
    /// when they begin it or stand in it (compared without case and punctuation); else, when what
    /// was heard sounds whole to the caller (it asked a question, or ran to a full stop over at
    /// least half this reply's length), nothing; else the reply after the words both begin with
    /// (the whole reply when none).
    /// </summary>
    public static string Remainder(string heard, string reply)
    {
        var heardWords = Words(heard);
        var replyWords = reply.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (heardWords.Length == 0)
        {
            return reply;
        }

        var normalized = replyWords.Select(Word).ToArray();
        for (var at = 0; at + heardWords.Length <= normalized.Length; at++)
        {
            if (normalized.AsSpan(at, heardWords.Length).SequenceEqual(heardWords))
            {
                return string.Join(' ', replyWords.Skip(at + heardWords.Length));
            }
        }

        // Another answer, heard as a whole to the caller: a question was asked, or most of a reply's
        // length ended on a full stop. Saying a second answer would answer the turn twice.
        var end = heard.TrimEnd();
        if (end.EndsWith('?') || end.EndsWith('!') || (end.EndsWith('.') && heardWords.Length * 2 >= normalized.Length))
        {
            return "";
        }

        // Another wording of the same answer: pick it up after the words both begin with, and never
        // start with the words the caller has just heard ("... would you" + "you cancel" says "you" twice).
        var common = 0;
        while (common < heardWords.Length && common < normalized.Length && heardWords[common] == normalized[common])
        {
            common++;
        }

        var rest = normalized.AsSpan(common);
        var echo = Math.Min(heardWords.Length, rest.Length);
        while (echo > 0 && !heardWords.AsSpan(heardWords.Length - echo).SequenceEqual(rest[..echo]))
        {
            echo--;
        }

        return string.Join(' ', replyWords.Skip(common + echo));
    }

    private static string[] Words(string text) => [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Word)];

    private static string Word(string word) => word.Trim('.', ',', '!', '?', ';', ':', '"').ToLowerInvariant();
}
