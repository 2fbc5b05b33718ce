namespace VoiceBridge.Engines.Realtime.Protocol;

/// <summary>
/// One parsed client event as the provider simulator sees it, reused across parses:
/// <see cref="RealtimeClientParser.TryParse"/> resets and refills it. <see cref="Audio"/> points into a buffer
/// owned by this instance and is only valid until the next parse. Not thread-safe.
/// </summary>
public sealed class RealtimeClientEvent(int initialAudioCapacity = 4096)
{
    private readonly AudioBuffer audio = new(initialAudioCapacity);
    private readonly LazyUtf8String eventId = new();

    public RealtimeClientEventType Type { get; internal set; }

    /// <summary>The type as received; set even when parsing fails on an unknown type.</summary>
    public string TypeName { get; internal set; } = "";

    /// <summary>The client's <c>event_id</c> (to echo in errors); materialised on first access.</summary>
    public string? EventId => eventId.Value;

    /// <summary>The <c>session</c> of <c>session.update</c>, with the set of fields it carried.</summary>
    public RealtimeSessionUpdate? Session { get; internal set; }

    /// <summary>Decoded audio of <c>input_audio_buffer.append</c>; valid until the next parse.</summary>
    public ReadOnlyMemory<byte> Audio => audio.Memory;

    /// <summary>The item of <c>conversation.item.create</c>.</summary>
    public RealtimeItem? Item { get; internal set; }

    public string? PreviousItemId { get; internal set; }

    /// <summary>The truncated item of <c>conversation.item.truncate</c>.</summary>
    public string? ItemId { get; internal set; }

    public int ContentIndex { get; internal set; }

    public int AudioEndMs { get; internal set; }

    /// <summary>The response named by <c>response.cancel</c>, if any.</summary>
    public string? ResponseId { get; internal set; }

    /// <summary><c>response.instructions</c> of <c>response.create</c>, if any.</summary>
    public string? ResponseInstructions { get; internal set; }

    internal Utf8StringCache Ids { get; } = new();

    internal AudioBuffer AudioBuffer => audio;

    internal LazyUtf8String EventIdSlot => eventId;

    internal void Reset()
    {
        Type = default;
        TypeName = "";
        eventId.Clear();
        Session = null;
        audio.Clear();
        Item = null;
        PreviousItemId = ItemId = ResponseId = ResponseInstructions = null;
        ContentIndex = AudioEndMs = 0;
    }
}
