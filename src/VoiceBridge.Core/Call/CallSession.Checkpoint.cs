namespace VoiceBridge.Call;

/// <summary>
/// The call's conversation as a checkpoint (docs/scale-out.md): taken on the call loop at every
/// turn boundary for whoever keeps it (<see cref="TurnBoundary"/>), and given back to a new call
/// session (<see cref="Resume"/>) when the call goes on from another stream, perhaps on another node.
/// </summary>
public sealed partial class CallSession
{
    private Action<ConversationCheckpoint>? _turnBoundary;
    private DateTimeOffset _streamStartedAt;
    private bool _resumeOwesReply;
    private int _resumes;

    /// <summary>
    /// Raised on the call loop at each turn boundary (a caller's final transcript, the agent's
    /// final words, the agent's audio heard to its end) with a checkpoint of the conversation. It
    /// runs on the call path: a handler hands the checkpoint off and returns at once.
    /// </summary>
    public event Action<ConversationCheckpoint>? TurnBoundary
    {
        add
        {
            if (_turnBoundary is null)
            {
                _playout.ItemHeard += OnItemHeardBoundary;
            }

            _turnBoundary += value;
        }

        remove => _turnBoundary -= value;
    }

    /// <summary>How many times this call had been resumed on a new stream when this session took it up.</summary>
    public int Resumes => _resumes;

    /// <summary>
    /// The conversation now, the most recent <see cref="ConversationCheckpoint.MaxEntries"/> turns
    /// and tool calls. Call it on the call loop (a <see cref="TurnBoundary"/> handler does), or once
    /// <see cref="RunAsync"/> has returned. <paramref name="ended"/>: the call ended normally.
    /// </summary>
    public ConversationCheckpoint Checkpoint(bool ended)
    {
        var turns = Conversation.Turns;
        var tools = Conversation.ToolCalls;
        var keepTools = Math.Min(tools.Count, ConversationCheckpoint.MaxEntries / 2);
        var keepTurns = Math.Min(turns.Count, ConversationCheckpoint.MaxEntries - keepTools);
        return new ConversationCheckpoint
        {
            CallSid = CallId,
            StreamStartedAt = StreamStartedAt(),
            Ended = ended,
            Resumes = _resumes,
            Turns = [.. turns.Skip(turns.Count - keepTurns).Select(t => new CheckpointTurn(
                t.Role.ToString(), Cap(t.Engine), Cap(t.Text), t.HeardText is null ? null : Cap(t.HeardText), t.StartMs, t.EndMs, t.Dtmf, t.Interrupted))],
            ToolCalls = [.. tools.Skip(tools.Count - keepTools).Select(c => c with { Arguments = Cap(c.Arguments), Output = Cap(c.Output) })],
        };
    }

    /// <summary>
    /// Takes up a call that another stream (perhaps another node) was serving: its turns and tool
    /// calls go into this session's conversation before <see cref="RunAsync"/>, on this stream's
    /// clock (before zero), so the first engine is started with them as its history; when the
    /// caller spoke last, that engine is seeded as a handoff's is and answers once.
    /// </summary>
    /// <exception cref="InvalidOperationException">The call already runs, or already has turns.</exception>
    public void Resume(ConversationCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (_startTimestamp != 0 || Conversation.Turns.Count > 0)
        {
            throw new InvalidOperationException("a call is resumed before it runs, into an empty conversation");
        }

        var shiftMs = (long)(_time.GetUtcNow() - checkpoint.StreamStartedAt).TotalMilliseconds;
        foreach (var t in checkpoint.Turns)
        {
            Conversation.Add(new ConversationTurn
            {
                Role = t.Role == nameof(TurnRole.User) ? TurnRole.User : TurnRole.Assistant,
                Engine = t.Engine,
                Text = t.Text,
                HeardText = t.HeardText,
                StartMs = t.StartMs - shiftMs,
                EndMs = t.EndMs - shiftMs,
                Dtmf = t.Dtmf,
                Interrupted = t.Interrupted,
                Transcribed = true,
            });
        }

        foreach (var call in checkpoint.ToolCalls)
        {
            Conversation.AddToolCall(call with { AtMs = call.AtMs - shiftMs });
        }

        _resumeOwesReply = checkpoint.ReplyOwed;
        _resumes = checkpoint.Resumes + 1;
    }

    /// <summary>Whether the first engine starts seeded (a resumed call whose caller spoke last); asked once.</summary>
    private bool TakeResumeSeeding()
    {
        var seeding = _resumeOwesReply;
        _resumeOwesReply = false;
        return seeding;
    }

    /// <summary>When this stream's call clock was zero, on the wall clock (fixed at the first checkpoint).</summary>
    private DateTimeOffset StreamStartedAt()
    {
        if (_streamStartedAt == default)
        {
            _streamStartedAt = _time.GetUtcNow() - TimeSpan.FromMilliseconds(NowMs);
        }

        return _streamStartedAt;
    }

    private void RaiseTurnBoundary()
    {
        if (_turnBoundary is { } handlers)
        {
            handlers(Checkpoint(ended: false));
        }
    }

    private void OnItemHeardBoundary(ItemPlayout item) => RaiseTurnBoundary();

    private static string Cap(string text) =>
        text.Length <= ConversationCheckpoint.MaxTextChars ? text : text[..ConversationCheckpoint.MaxTextChars];
}
