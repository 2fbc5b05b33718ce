namespace VoiceBridge.Engines.Cascade.Remote;

/// <summary>
/// Where and how to reach Deepgram's live transcription WebSocket. The key comes from
/// <c>DEEPGRAM_API_KEY</c>; with none configured a simulator stands in.
/// </summary>
public sealed class DeepgramOptions
{
    /// <summary>Base URL, ws:// or wss:// [wss://api.deepgram.com].</summary>
    public Uri BaseUrl { get; set; } = new("wss://api.deepgram.com");

    /// <summary>Sent as <c>Authorization: Token KEY</c>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The <c>model</c> query parameter; null leaves Deepgram's default [null].</summary>
    public string? Model { get; set; }

    /// <summary>Deepgram's own endpointing silence (ms), which sets <c>speech_final</c> [300].</summary>
    public int EndpointingMs { get; set; } = 300;

    /// <summary>KeepAlive period while no audio flows; Deepgram closes an idle stream after 10 s [3 s].</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long to wait for the <c>from_finalize</c> result before finalising with what arrived [1.5 s].</summary>
    public TimeSpan FinalizeTimeout { get; set; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>How long the WebSocket upgrade may take [5 s].</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>After CloseStream, how long to wait for the server to close [1 s].</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>True when <see cref="BaseUrl"/> is a simulator (logged as such).</summary>
    public bool Simulated { get; set; }

    /// <summary>The listen URL: mu-law 8 kHz mono straight from the call, interim results, punctuation.</summary>
    public Uri ListenUri
    {
        get
        {
            var model = Model is null ? "" : "&model=" + Uri.EscapeDataString(Model);
            return new Uri($"{BaseUrl.AbsoluteUri.TrimEnd('/')}/v1/listen?encoding=mulaw&sample_rate=8000&channels=1"
                + $"&interim_results=true&endpointing={EndpointingMs}&punctuate=true{model}");
        }
    }

    /// <summary>Problems with the options, each naming its key.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (BaseUrl.Scheme is not ("ws" or "wss"))
        {
            errors.Add($"Deepgram:BaseUrl must be a ws:// or wss:// URL, got '{BaseUrl}'");
        }

        if (!Simulated && string.IsNullOrWhiteSpace(ApiKey))
        {
            errors.Add("DEEPGRAM_API_KEY is required for a non-simulated Deepgram endpoint");
        }

        if (EndpointingMs is < 10 or > 5000)
        {
            errors.Add($"Deepgram:EndpointingMs must be 10-5000, got {EndpointingMs}");
        }

        if (KeepAliveInterval <= TimeSpan.Zero || KeepAliveInterval > TimeSpan.FromSeconds(5))
        {
            errors.Add($"Deepgram:KeepAliveInterval must be above 0 and at most 5 s (the server closes after 10 s idle), got {KeepAliveInterval}");
        }

        if (FinalizeTimeout <= TimeSpan.Zero)
        {
            errors.Add($"Deepgram:FinalizeTimeout must be positive, got {FinalizeTimeout}");
        }

        return errors;
    }
}
