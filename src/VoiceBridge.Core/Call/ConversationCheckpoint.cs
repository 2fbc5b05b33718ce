using System.Text.Json;
using System.Text.Json.Serialization;

namespace VoiceBridge.Call;

/// <summary>One turn as a checkpoint keeps it: what was said and heard, on the stream's call clock.</summary>
public sealed record CheckpointTurn(string Role, string Engine, string Text, string? HeardText, long StartMs, long EndMs, string? Dtmf, bool Interrupted);

/// <summary>
/// The durable form of a call's <see cref="Conversation"/>, written at every turn boundary so that
/// another node can go on with the call when this one dies (docs/scale-out.md). Times are
/// milliseconds on the clock of the stream that wrote it, which started at <see cref="StreamStartedAt"/>;
/// a resumed call moves them onto its own clock (they come out negative: before its stream began).
/// Parsed from bytes another node wrote (<see cref="TryParse"/>), so every field is checked.
/// </summary>
public sealed record ConversationCheckpoint
{
    /// <summary>The format version this build writes and reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Turns and tool calls a checkpoint may hold; a longer call keeps its most recent ones.</summary>
    public const int MaxEntries = 500;

    /// <summary>Characters of one text field (a turn's words, a tool's arguments or output).</summary>
    public const int MaxTextChars = 16 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        MaxDepth = 8,
    };

    public int Version { get; init; } = CurrentVersion;

    public required string CallSid { get; init; }

    /// <summary>The node that wrote it.</summary>
    public string Node { get; init; } = "";

    /// <summary>When the writing stream's call clock was zero (UTC).</summary>
    public required DateTimeOffset StreamStartedAt { get; init; }

    /// <summary>The call ended normally (the caller or the bridge hung up): a lost stream is not resumed.</summary>
    public bool Ended { get; init; }

    /// <summary>How many times the call was resumed on a new stream before this one was written.</summary>
    public int Resumes { get; init; }

    public required IReadOnlyList<CheckpointTurn> Turns { get; init; }

    public required IReadOnlyList<ToolCallRecord> ToolCalls { get; init; }

    /// <summary>The caller spoke last: the engine that goes on with the call owes an answer.</summary>
    [JsonIgnore]
    public bool ReplyOwed => Turns.Count > 0 && Turns[^1].Role == nameof(TurnRole.User);

    /// <summary>The checkpoint as UTF-8 JSON.</summary>
    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>
    /// Reads a checkpoint; false with a message naming what is wrong for anything that is not one
    /// this build wrote for <paramref name="expectedCallSid"/> (never throws on bad bytes).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8Json, string expectedCallSid, out ConversationCheckpoint? checkpoint, out string? error)
    {
        checkpoint = null;
        try
        {
            checkpoint = JsonSerializer.Deserialize<ConversationCheckpoint>(utf8Json, Json);
        }
        catch (JsonException e)
        {
            error = $"checkpoint: not valid JSON: {e.Message}";
            return false;
        }

        error = checkpoint is null ? "checkpoint: empty (JSON null)" : Check(checkpoint, expectedCallSid);
        if (error is not null)
        {
            checkpoint = null;
            return false;
        }

        return true;
    }

    private static string? Check(ConversationCheckpoint c, string expectedCallSid)
    {
        if (c.Version != CurrentVersion)
        {
            return $"checkpoint: version {c.Version} is not {CurrentVersion}";
        }

        if (c.CallSid != expectedCallSid)
        {
            return $"checkpoint: written for call '{c.CallSid}', not '{expectedCallSid}'";
        }

        if (c.Turns is null || c.ToolCalls is null)
        {
            return "checkpoint: 'turns' and 'toolCalls' are required";
        }

        if (c.Turns.Count + c.ToolCalls.Count > MaxEntries)
        {
            return $"checkpoint: {c.Turns.Count} turns and {c.ToolCalls.Count} tool calls are more than {MaxEntries}";
        }

        for (var i = 0; i < c.Turns.Count; i++)
        {
            var t = c.Turns[i];
            if (t is null || t.Role is not (nameof(TurnRole.User) or nameof(TurnRole.Assistant)))
            {
                return $"checkpoint: turn {i} has no role User or Assistant";
            }

            if (t.Engine is null || t.Text is null || Longer(t.Text, t.HeardText, t.Dtmf, t.Engine))
            {
                return $"checkpoint: turn {i} lacks its engine or text, or a text is over {MaxTextChars} characters";
            }
        }

        for (var i = 0; i < c.ToolCalls.Count; i++)
        {
            var t = c.ToolCalls[i];
            if (t is null || t.CallId is null || t.Name is null || t.Arguments is null || t.Output is null || t.Engine is null
                || Longer(t.CallId, t.Name, t.Arguments, t.Output, t.Engine))
            {
                return $"checkpoint: tool call {i} lacks a field, or a field is over {MaxTextChars} characters";
            }
        }

        return null;
    }

    private static bool Longer(params string?[] texts) => texts.Any(t => t is { Length: > MaxTextChars });
}
