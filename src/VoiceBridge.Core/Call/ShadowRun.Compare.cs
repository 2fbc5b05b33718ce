using VoiceBridge.Media;

namespace VoiceBridge.Call;

internal sealed partial class ShadowRun
{
    /// <summary>
    /// The per-turn comparison, once the call is over: one row per caller speech turn of the
    /// call's conversation (our VAD's spans). The active side is read from the conversation as the
    /// report reads it (the replies between this caller turn and the next); the shadow's transcript
    /// is its heard item that overlaps the turn most, its answer every reply whose first audio came
    /// from the turn's start to the next turn's start.
    /// </summary>
    public ShadowComparison Compare(Conversation conversation)
    {
        var turns = conversation.Turns;
        var userTurns = turns.Where(t => t is { Role: TurnRole.User, Dtmf: null }).ToList();
        var transcripts = ShadowTranscripts(userTurns);
        var rows = new List<ShadowTurn>(userTurns.Count);
        for (var i = 0; i < userTurns.Count; i++)
        {
            var user = userTurns[i];
            var active = ActiveSide(turns, user);
            var nextStartMs = i + 1 < userTurns.Count ? userTurns[i + 1].StartMs : long.MaxValue;
            var replies = _replies.Values
                .Where(r => r.FirstAudioMs >= user.StartMs && r.FirstAudioMs < nextStartMs)
                .OrderBy(r => r.FirstAudioMs)
                .ToList();
            var shadowText = string.Join(" ", replies.Select(r => r.Text.Trim()).Where(t => t.Length > 0));
            var shadow = new ShadowSide(
                name,
                transcripts[i],
                replies.Count == 0 ? null : replies[0].FirstAudioMs - user.EndMs,
                replies.Sum(r => r.AudioMs),
                WordErrorRate.Words(shadowText).Count,
                shadowText);
            var wer = active.Transcript is { } reference ? WordErrorRate.Compute(reference, transcripts[i] ?? "") : null;
            rows.Add(new ShadowTurn(i + 1, user.StartMs, user.EndMs, active, shadow, wer is { } w ? Math.Round(w, 3) : null));
        }

        return new ShadowComparison(name, rows, _failure, _failedAtMs, _toolCallsNotRun, CallClock.SamplesToMs(_missedSamples));
    }

    /// <summary>What the active engine made of <paramref name="user"/>: its transcript, and the replies up to the caller's next turn (keys pressed before the answer skipped, as the report does).</summary>
    private static ShadowSide ActiveSide(IReadOnlyList<ConversationTurn> turns, ConversationTurn user)
    {
        var index = IndexOf(turns, user);
        var replies = turns.Skip(index + 1).SkipWhile(t => t.Dtmf is not null).TakeWhile(t => t.Role != TurnRole.User)
            .Where(t => t.Role == TurnRole.Assistant).ToList();
        var text = string.Join(" ", replies.Select(r => r.Text.Trim()).Where(t => t.Length > 0));
        return new ShadowSide(
            replies.FirstOrDefault(r => r.AudioMs > 0)?.Engine ?? user.Engine,
            user.Transcribed ? user.Text : null,
            replies.FirstOrDefault(r => r.FirstAudioLatencyMs is not null)?.FirstAudioLatencyMs,
            replies.Sum(r => r.AudioMs),
            WordErrorRate.Words(text).Count,
            text);
    }

    /// <summary>Each of the shadow's heard items goes to the caller turn it overlaps most; a turn's transcript is its items' in order.</summary>
    private string?[] ShadowTranscripts(List<ConversationTurn> userTurns)
    {
        var parts = new List<(long Start, string Text)>?[userTurns.Count];
        foreach (var item in _heard.Values.Where(h => h.Start >= 0 && h.Transcript is not null))
        {
            var end = item.End < 0 ? long.MaxValue : item.End;
            var best = -1;
            long bestOverlap = 0;
            for (var i = 0; i < userTurns.Count; i++)
            {
                var overlap = Math.Min(end, userTurns[i].EndPosition) - Math.Max(item.Start, userTurns[i].StartPosition);
                if (overlap > bestOverlap)
                {
                    best = i;
                    bestOverlap = overlap;
                }
            }

            if (best >= 0)
            {
                (parts[best] ??= []).Add((item.Start, item.Transcript!));
            }
        }

        return [.. parts.Select(p => p is null ? null : string.Join(" ", p.OrderBy(x => x.Start).Select(x => x.Text.Trim()).Where(t => t.Length > 0)))];
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
}
