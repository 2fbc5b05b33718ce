namespace VoiceBridge.Engines.Realtime.Protocol;

/// <summary>Kind of a conversation item; <see cref="Unknown"/> for item types this codec does not model.</summary>
public enum RealtimeItemType
{
    Unknown,
    Message,
    FunctionCall,
    FunctionCallOutput,
}

/// <summary>Author of a message item.</summary>
public enum RealtimeRole
{
    System,
    User,
    Assistant,
}

/// <summary>Type of a message content part; text parts carry <c>text</c>, audio parts carry <c>transcript</c>.</summary>
public enum RealtimeContentType
{
    InputText,
    InputAudio,
    OutputText,
    OutputAudio,
}

/// <summary>
/// A conversation item as it travels in <c>conversation.item.*</c> and <c>response.output_item.*</c> events.
/// Messages keep one content part: <see cref="ContentType"/> plus <see cref="Text"/> (text or transcript).
/// </summary>
public sealed record RealtimeItem
{
    public string? Id { get; init; }

    public RealtimeItemType Type { get; init; }

    public RealtimeRole? Role { get; init; }

    /// <summary>Raw item status (<c>completed</c>, <c>in_progress</c>, <c>incomplete</c>) when present.</summary>
    public string? Status { get; init; }

    /// <summary>Content part type; null with null <see cref="Text"/> means an empty content list.</summary>
    public RealtimeContentType? ContentType { get; init; }

    /// <summary>Message text or transcript (parts concatenated when several).</summary>
    public string? Text { get; init; }

    public string? CallId { get; init; }

    public string? Name { get; init; }

    public string? Arguments { get; init; }

    public string? Output { get; init; }

    /// <summary>A text message; the content part is <c>output_text</c> for the assistant, <c>input_text</c> otherwise.</summary>
    public static RealtimeItem Message(RealtimeRole role, string text, string? id = null) => new()
    {
        Id = id,
        Type = RealtimeItemType.Message,
        Role = role,
        ContentType = role == RealtimeRole.Assistant ? RealtimeContentType.OutputText : RealtimeContentType.InputText,
        Text = text,
    };

    public static RealtimeItem FunctionCall(string callId, string name, string arguments, string? id = null) => new()
    {
        Id = id,
        Type = RealtimeItemType.FunctionCall,
        CallId = callId,
        Name = name,
        Arguments = arguments,
    };

    public static RealtimeItem FunctionCallOutput(string callId, string output, string? id = null) => new()
    {
        Id = id,
        Type = RealtimeItemType.FunctionCallOutput,
        CallId = callId,
        Output = output,
    };
}
