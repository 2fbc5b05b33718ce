using VoiceBridge.Call;

namespace VoiceBridge.Engines.Realtime;

/// <summary>One step of the history to seed: a turn with the text to seed it with, or a tool call with its output.</summary>
public sealed record RealtimeSeedEntry(ConversationTurn? Turn, ToolCallRecord? Call, string Text);

/// <summary>
/// What a Realtime session is seeded with (FAILOVER.md step 4): the most recent turns and tool
/// calls that fit <c>itemTokens</c> go as conversation items, in the order they happened; the ones
/// before them are summarised into the instructions, newest first within <c>summaryTokens</c>, each
/// clipped to <see cref="MaxSummaryEntryChars"/>; any older still are left out and counted. Sizes
/// are estimated, not tokenised: <see cref="EstimateTokens"/>. A turn with no text to seed (an
/// untranscribed caller turn, which is replayed as audio instead) takes no part.
/// </summary>
public sealed record RealtimeSeedPlan(string Instructions, IReadOnlyList<RealtimeSeedEntry> Items, IReadOnlyList<ConversationTurn> Summarised, int Omitted)
{
    /// <summary>An older turn or tool call is clipped to this many characters in the summary.</summary>
    public const int MaxSummaryEntryChars = 300;

    private const string SummaryHeader = "Earlier in this call (summarised; the turns after it are in the conversation): ";

    /// <summary>Turns seeded as conversation items (tool calls are not turns).</summary>
    public int TurnsAsItems => Items.Count(e => e.Turn is not null);

    /// <summary>A token estimate of <paramref name="text"/>: its characters / 4, rounded up (about right for English).</summary>
    public static int EstimateTokens(string text) => TokensOf(text.Length);

    public static RealtimeSeedPlan For(Conversation conversation, int itemTokens, int summaryTokens)
    {
        var entries = Entries(conversation);
        var first = entries.Count;
        for (var used = 0; first > 0 && used + Size(entries[first - 1]) <= itemTokens; first--)
        {
            used += Size(entries[first - 1]);
        }

        var lines = new List<string>();
        var summarised = new List<ConversationTurn>();
        // What the summary adds to the instructions: a blank line, the header, the lines and a full stop.
        var chars = SummaryHeader.Length + 3;
        var omitted = 0;
        for (var i = first - 1; i >= 0; i--)
        {
            var line = SummaryLine(entries[i]);
            if (omitted == 0 && TokensOf(chars + line.Length + 2) <= summaryTokens)
            {
                lines.Insert(0, line);
                chars += line.Length + 2;
                if (entries[i].Turn is { } turn)
                {
                    summarised.Insert(0, turn);
                }
            }
            else if (entries[i].Turn is not null)
            {
                omitted++;
            }
        }

        var instructions = lines.Count == 0
            ? conversation.Instructions
            : $"{conversation.Instructions}\n\n{SummaryHeader}{string.Join("; ", lines)}.";
        return new RealtimeSeedPlan(instructions, entries[first..], summarised, omitted);
    }

    /// <summary>Turns (assistant turns as heard) and tool calls in the order they happened, those with nothing to seed left out.</summary>
    private static List<RealtimeSeedEntry> Entries(Conversation conversation)
    {
        var entries = new List<RealtimeSeedEntry>();
        foreach (var (turn, call) in conversation.InOrder())
        {
            if (call is not null)
            {
                entries.Add(new RealtimeSeedEntry(null, call, call.Name + call.Arguments + call.Output));
                continue;
            }

            var text = turn!.Role == TurnRole.Assistant ? turn.HeardText ?? turn.Text : turn.Text;
            if (!string.IsNullOrWhiteSpace(text))
            {
                entries.Add(new RealtimeSeedEntry(turn, null, text));
            }
        }

        return entries;
    }

    private static int Size(RealtimeSeedEntry entry) => EstimateTokens(entry.Text);

    private static int TokensOf(int chars) => (chars + 3) / 4;

    private static string SummaryLine(RealtimeSeedEntry entry) => entry switch
    {
        { Call: { } call } => $"you called {call.Name}({Clip(call.Arguments)}), which returned {Clip(call.Output)}",
        { Turn.Role: TurnRole.Assistant } => $"you said \"{Clip(entry.Text)}\"",
        _ => $"the caller said \"{Clip(entry.Text)}\"",
    };

    private static string Clip(string text)
    {
        text = text.ReplaceLineEndings(" ").Trim();
        return text.Length <= MaxSummaryEntryChars ? text : string.Concat(text.AsSpan(0, MaxSummaryEntryChars - 3), "...");
    }
}
