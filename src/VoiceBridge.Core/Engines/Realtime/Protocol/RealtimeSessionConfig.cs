namespace VoiceBridge.Engines.Realtime.Protocol;

/// <summary>Audio encodings the Realtime API accepts on the wire.</summary>
public enum RealtimeAudioFormat
{
    /// <summary>G.711 μ-law, 8 kHz (<c>audio/pcmu</c>).</summary>
    Pcmu,

    /// <summary>G.711 A-law, 8 kHz (<c>audio/pcma</c>).</summary>
    Pcma,

    /// <summary>16-bit little-endian PCM at 24 kHz (<c>audio/pcm</c>, rate 24000).</summary>
    Pcm24k,
}

/// <summary>The kind of session (<c>session.type</c>), fixed when the session is created.</summary>
public enum RealtimeSessionType
{
    /// <summary><c>realtime</c>: a speech-to-speech conversation.</summary>
    Realtime,

    /// <summary><c>transcription</c>: input audio is only transcribed; no responses, no output audio.</summary>
    Transcription,
}

/// <summary>Voice activity detector the server runs on the input buffer.</summary>
public enum RealtimeVadType
{
    /// <summary><c>server_vad</c>: energy based, tuned by threshold, padding and silence.</summary>
    ServerVad,

    /// <summary><c>semantic_vad</c>: model based; threshold, padding and silence are not sent.</summary>
    SemanticVad,
}

/// <summary>Server-side turn detection settings (<c>audio.input.turn_detection</c>).</summary>
public sealed record RealtimeTurnDetection
{
    public RealtimeVadType Type { get; init; } = RealtimeVadType.ServerVad;

    public double Threshold { get; init; } = 0.5;

    public int PrefixPaddingMs { get; init; } = 300;

    public int SilenceDurationMs { get; init; } = 500;

    public bool CreateResponse { get; init; } = true;

    public bool InterruptResponse { get; init; } = true;
}

/// <summary>A function tool offered to the model; the parameters schema is raw JSON, written verbatim.</summary>
public sealed record RealtimeToolDefinition(string Name, string Description, string ParametersJsonSchema);

/// <summary>The full session configuration we send in <c>session.update</c> and the simulator echoes back.</summary>
public sealed record RealtimeSessionConfig
{
    /// <summary>A transcription session writes only its input audio settings (and asks for logprobs).</summary>
    public RealtimeSessionType Type { get; init; } = RealtimeSessionType.Realtime;

    /// <summary>System instructions; null leaves them out of the event.</summary>
    public string? Instructions { get; init; }

    public RealtimeAudioFormat InputFormat { get; init; } = RealtimeAudioFormat.Pcmu;

    public RealtimeAudioFormat OutputFormat { get; init; } = RealtimeAudioFormat.Pcmu;

    public string Voice { get; init; } = "alloy";

    /// <summary>Input transcription model; null disables input transcription.</summary>
    public string? TranscriptionModel { get; init; } = "gpt-4o-mini-transcribe";

    /// <summary>Turn detection; null disables it (the client commits and requests responses itself).</summary>
    public RealtimeTurnDetection? TurnDetection { get; init; } = new();

    public IReadOnlyList<RealtimeToolDefinition> Tools { get; init; } = [];

    /// <summary><c>auto</c>, <c>none</c> or <c>required</c>.</summary>
    public string ToolChoice { get; init; } = "auto";
}
