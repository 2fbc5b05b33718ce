namespace VoiceBridge.Engines.Realtime.Protocol;

/// <summary>
/// One parsed server event, reused across parses: <see cref="RealtimeServerParser.TryParse"/> resets and refills it.
/// Fields an event type does not carry stay null/zero. <see cref="Audio"/> points into a buffer owned by this
/// instance and is only valid until the next parse. Not thread-safe.
/// </summary>
public sealed class RealtimeServerEvent(int initialAudioCapacity = 8192)
{
    private readonly AudioBuffer audio = new(initialAudioCapacity);
    private readonly LazyUtf8String eventId = new();

    public RealtimeServerEventType Type { get; internal set; }

    /// <summary>The type exactly as received (so beta names and unknown types stay visible).</summary>
    public string TypeName { get; internal set; } = "";

    /// <summary>The server's <c>event_id</c>; materialised on first access.</summary>
    public string? EventId => eventId.Value;

    public string? ItemId { get; internal set; }

    public string? PreviousItemId { get; internal set; }

    public string? ResponseId { get; internal set; }

    public string? CallId { get; internal set; }

    public string? Name { get; internal set; }

    public int AudioStartMs { get; internal set; }

    public int AudioEndMs { get; internal set; }

    public int OutputIndex { get; internal set; }

    public int ContentIndex { get; internal set; }

    /// <summary>Decoded audio of <c>response.output_audio.delta</c>; valid until the next parse.</summary>
    public ReadOnlyMemory<byte> Audio => audio.Memory;

    /// <summary>Text <c>delta</c> of transcript and function-argument deltas.</summary>
    public string? Delta { get; internal set; }

    public string? Transcript { get; internal set; }

    public string? Arguments { get; internal set; }

    /// <summary>Mean token logprob of an input transcription's <c>logprobs</c>, when the session asked for them.</summary>
    public double? MeanLogprob { get; internal set; }

    /// <summary>The <c>error</c> object of <c>error</c> and of a failed input transcription.</summary>
    public RealtimeError? Error { get; internal set; }

    public RealtimeItem? Item { get; internal set; }

    public RealtimeResponse? Response { get; internal set; }

    /// <summary>The effective configuration echoed by <c>session.created</c>/<c>session.updated</c>.</summary>
    public RealtimeSessionConfig? Session { get; internal set; }

    public IReadOnlyList<RealtimeRateLimit> RateLimits { get; internal set; } = [];

    internal Utf8StringCache Ids { get; } = new();

    internal AudioBuffer AudioBuffer => audio;

    internal LazyUtf8String EventIdSlot => eventId;

    internal void Reset()
    {
        Type = RealtimeServerEventType.Unknown;
        TypeName = "";
        eventId.Clear();
        ItemId = PreviousItemId = ResponseId = CallId = Name = null;
        AudioStartMs = AudioEndMs = OutputIndex = ContentIndex = 0;
        audio.Clear();
        Delta = Transcript = Arguments = null;
        MeanLogprob = null;
        Error = null;
        Item = null;
        Response = null;
        Session = null;
        RateLimits = [];
    }
}
