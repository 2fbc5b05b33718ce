namespace VoiceBridge.Engines.Cascade.Remote;

/// <summary>
/// Where and how to reach ElevenLabs' stream-input WebSocket. The key comes from
/// <c>ELEVENLABS_API_KEY</c>; with none configured a simulator stands in.
/// </summary>
public sealed class ElevenLabsOptions
{
    /// <summary>Base URL, ws:// or wss:// [wss://api.elevenlabs.io].</summary>
    public Uri BaseUrl { get; set; } = new("wss://api.elevenlabs.io");

    /// <summary>Sent as the <c>xi-api-key</c> header.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The voice id in the path [21m00Tcm4TlvDq8ikWAM, "Rachel"].</summary>
    public string VoiceId { get; set; } = "21m00Tcm4TlvDq8ikWAM";

    /// <summary>The <c>model_id</c> query parameter [eleven_flash_v2_5, the low-latency model].</summary>
    public string ModelId { get; set; } = "eleven_flash_v2_5";

    /// <summary><c>voice_settings.stability</c> [0.5].</summary>
    public double Stability { get; set; } = 0.5;

    /// <summary><c>voice_settings.similarity_boost</c> [0.75].</summary>
    public double SimilarityBoost { get; set; } = 0.75;

    /// <summary>
    /// <c>generation_config.chunk_length_schedule</c>: characters buffered before each generation
    /// (each 50-500). Lower than ElevenLabs' default [120, 160, 250, 290] for a quick first word [50, 120, 160, 250].
    /// </summary>
    public IReadOnlyList<int> ChunkLengthSchedule { get; set; } = [50, 120, 160, 250];

    /// <summary>How long the WebSocket upgrade may take [5 s].</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Once the text has ended, the longest silence from the server before giving up [10 s].</summary>
    public TimeSpan ReceiveTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>True when <see cref="BaseUrl"/> is a simulator (logged as such).</summary>
    public bool Simulated { get; set; }

    /// <summary>The stream-input URL, asking for mu-law 8 kHz so audio needs no conversion.</summary>
    public Uri StreamInputUri => new(
        $"{BaseUrl.AbsoluteUri.TrimEnd('/')}/v1/text-to-speech/{Uri.EscapeDataString(VoiceId)}/stream-input"
        + $"?model_id={Uri.EscapeDataString(ModelId)}&output_format=ulaw_8000");

    /// <summary>Problems with the options, each naming its key.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (BaseUrl.Scheme is not ("ws" or "wss"))
        {
            errors.Add($"ElevenLabs:BaseUrl must be a ws:// or wss:// URL, got '{BaseUrl}'");
        }

        if (!Simulated && string.IsNullOrWhiteSpace(ApiKey))
        {
            errors.Add("ELEVENLABS_API_KEY is required for a non-simulated ElevenLabs endpoint");
        }

        if (string.IsNullOrWhiteSpace(VoiceId) || string.IsNullOrWhiteSpace(ModelId))
        {
            errors.Add("ElevenLabs:VoiceId and ElevenLabs:ModelId must not be empty");
        }

        if (ChunkLengthSchedule.Count == 0 || ChunkLengthSchedule.Any(n => n is < 50 or > 500))
        {
            errors.Add($"ElevenLabs:ChunkLengthSchedule needs values of 50-500, got [{string.Join(", ", ChunkLengthSchedule)}]");
        }

        if (ReceiveTimeout <= TimeSpan.Zero)
        {
            errors.Add($"ElevenLabs:ReceiveTimeout must be positive, got {ReceiveTimeout}");
        }

        return errors;
    }
}
