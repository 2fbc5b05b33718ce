namespace VoiceBridge.Engines.Cascade.Remote;

/// <summary>
/// Where and how to reach OpenAI's Realtime transcription sessions (the Realtime WebSocket with
/// <c>?intent=transcription</c>). The key comes from <c>OPENAI_API_KEY</c>; with none configured a
/// simulator stands in.
/// </summary>
public sealed class OpenAiTranscriptionOptions
{
    /// <summary>The Realtime WebSocket endpoint [wss://api.openai.com/v1/realtime].</summary>
    public Uri Endpoint { get; set; } = new("wss://api.openai.com/v1/realtime");

    /// <summary>Sent as <c>Authorization: Bearer KEY</c>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The transcription model (<c>audio.input.transcription.model</c>) [gpt-4o-transcribe].</summary>
    public string Model { get; set; } = "gpt-4o-transcribe";

    /// <summary>How long the WebSocket upgrade may take [5 s].</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the close handshake may take on dispose [1 s].</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>True when <see cref="Endpoint"/> is a simulator (logged as such).</summary>
    public bool Simulated { get; set; }

    /// <summary>The endpoint with <c>intent=transcription</c> (a transcription session names no model in the URL).</summary>
    public Uri ConnectUri => new($"{Endpoint.AbsoluteUri.TrimEnd('/')}?intent=transcription");

    /// <summary>Problems with the options, each naming its key.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Endpoint.Scheme is not ("ws" or "wss"))
        {
            errors.Add($"OpenAiTranscription:Endpoint must be a ws:// or wss:// URL, got '{Endpoint}'");
        }

        if (!Simulated && string.IsNullOrWhiteSpace(ApiKey))
        {
            errors.Add("OPENAI_API_KEY is required for a non-simulated OpenAI transcription endpoint");
        }

        if (string.IsNullOrWhiteSpace(Model))
        {
            errors.Add("OpenAiTranscription:Model must not be empty");
        }

        return errors;
    }
}
