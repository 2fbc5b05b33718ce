namespace VoiceBridge.Call;

/// <summary>Who spoke a turn.</summary>
public enum TurnRole
{
    User,
    Assistant,
}

/// <summary>
/// One turn on the call's timeline (milliseconds from call start). A user turn's span comes from
/// our own VAD; its text from the engine's transcript. An assistant turn's text is what the engine
/// said; <see cref="HeardText"/> is what the caller actually heard of it. Keys the caller pressed
/// are a user turn too (<see cref="Dtmf"/>), so every engine sees them as the caller's words.
/// </summary>
public sealed class ConversationTurn
{
    public required TurnRole Role { get; init; }

    public required string Engine { get; set; }

    public string Text { get; set; } = "";

    public string? HeardText { get; set; }

    public long StartMs { get; set; }

    public long EndMs { get; set; }

    /// <summary>Assistant turns: end of the caller's speech to the first agent audio handed to the caller.</summary>
    public long? FirstAudioLatencyMs { get; set; }

    public bool Interrupted { get; set; }

    /// <summary>User turns: the engine's final transcript arrived (it may be empty: words that could not be made out).</summary>
    public bool Transcribed { get; set; }

    /// <summary>User turns: the span on the call clock, in samples.</summary>
    public long StartPosition { get; set; }

    public long EndPosition { get; set; }

    /// <summary>The provider's item id, when the turn came from one.</summary>
    public string? ItemId { get; set; }

    /// <summary>Audio the caller heard of an assistant turn, in ms.</summary>
    public long HeardAudioMs { get; set; }

    /// <summary>Audio the engine produced for an assistant turn, in ms.</summary>
    public long AudioMs { get; set; }

    /// <summary>
    /// User turns: the DTMF digits the caller pressed (e.g. <c>1234#</c>), null for speech. Such a
    /// turn's text is <see cref="DtmfText.Format"/> of them; it has no audio span (start and end
    /// positions are where the caller's audio stood), so it takes no part in audio replay,
    /// acknowledgement or turn latency.
    /// </summary>
    public string? Dtmf { get; init; }
}

/// <summary>A tool call the call session ran, with its result.</summary>
public sealed record ToolCallRecord(string CallId, string Name, string Arguments, string Output, string Engine, long AtMs);

/// <summary>
/// The conversation of one call: it outlives engines. Instructions, tools, turns and tool calls,
/// in the order they happened; engines are seeded from a snapshot of it.
/// </summary>
public sealed class Conversation(string instructions)
{
    private readonly List<ConversationTurn> _turns = [];
    private readonly List<ToolCallRecord> _toolCalls = [];

    public string Instructions { get; } = instructions;

    public IReadOnlyList<ConversationTurn> Turns => _turns;

    public IReadOnlyList<ToolCallRecord> ToolCalls => _toolCalls;

    public ConversationTurn Add(ConversationTurn turn)
    {
        _turns.Add(turn);
        return turn;
    }

    public void AddToolCall(ToolCallRecord call) => _toolCalls.Add(call);

    /// <summary>The most recent turn of <paramref name="role"/>, if any.</summary>
    public ConversationTurn? Last(TurnRole role)
    {
        for (var i = _turns.Count - 1; i >= 0; i--)
        {
            if (_turns[i].Role == role)
            {
                return _turns[i];
            }
        }

        return null;
    }

    /// <summary>
    /// Turns and tool calls interleaved in the order they happened: each tool call (with its
    /// result) comes before the first turn that started at or after it; a turn not yet played
    /// (no start) keeps its place after the turn before it. Exactly one of each pair is set.
    /// </summary>
    public IEnumerable<(ConversationTurn? Turn, ToolCallRecord? Call)> InOrder()
    {
        var nextCall = 0;
        // Turns taken over from another stream are dated before this one began (negative).
        var orderMs = long.MinValue;
        foreach (var turn in _turns)
        {
            orderMs = Math.Max(orderMs, turn.StartMs);
            while (nextCall < _toolCalls.Count && _toolCalls[nextCall].AtMs <= orderMs)
            {
                yield return (null, _toolCalls[nextCall++]);
            }

            yield return (turn, null);
        }

        while (nextCall < _toolCalls.Count)
        {
            yield return (null, _toolCalls[nextCall++]);
        }
    }

    /// <summary>The most recent caller turn that was speech (not keys pressed), if any.</summary>
    public ConversationTurn? LastSpoken()
    {
        for (var i = _turns.Count - 1; i >= 0; i--)
        {
            if (_turns[i] is { Role: TurnRole.User, Dtmf: null })
            {
                return _turns[i];
            }
        }

        return null;
    }

    public ConversationTurn? FindByItem(string itemId)
    {
        for (var i = _turns.Count - 1; i >= 0; i--)
        {
            if (_turns[i].ItemId == itemId)
            {
                return _turns[i];
            }
        }

        return null;
    }
}
