namespace VoiceBridge.Engines.Realtime;

/// <summary>
/// Where and how to reach a Realtime (GA) provider: OpenAI (<c>openai-realtime</c>, key
/// <c>OPENAI_API_KEY</c> as a bearer token) or Azure OpenAI (<c>azure-realtime</c>, key
/// <c>AZURE_OPENAI_API_KEY</c> in the <c>api-key</c> header). <c>serve</c> answers with the embedded
/// simulator an engine whose key and endpoint are both unset. The session's tuning
/// (<see cref="Settable"/>) comes from the configuration section <c>Realtime</c>.
/// </summary>
public sealed class RealtimeEngineOptions
{
    /// <summary>The engine's name in the chain.</summary>
    public string Name { get; set; } = "openai-realtime";

    /// <summary>WebSocket endpoint, without the model query [wss://api.openai.com/v1/realtime].</summary>
    public Uri Endpoint { get; set; } = new("wss://api.openai.com/v1/realtime");

    public string Model { get; set; } = "gpt-realtime";

    public string? ApiKey { get; set; }

    /// <summary>How the key is sent: <c>Authorization</c> (as "Bearer KEY", OpenAI) or <c>api-key</c> (Azure OpenAI).</summary>
    public string ApiKeyHeader { get; set; } = "Authorization";

    public string Voice { get; set; } = "alloy";

    /// <summary>Input transcription model; Realtime sessions always transcribe the caller (FAILOVER.md).</summary>
    public string TranscriptionModel { get; set; } = "gpt-4o-mini-transcribe";

    /// <summary>The provider's silence window that ends a caller turn [500 ms].</summary>
    public int SilenceDurationMs { get; set; } = 500;

    /// <summary>How long the WebSocket upgrade may take [5 s].</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the provider may take to answer our <c>session.update</c> with <c>session.updated</c>,
    /// and then to acknowledge every seeded history item (<c>conversation.item.added</c>); each wait
    /// that runs out fails the start, a failover trigger like a connection failure [2 s].
    /// </summary>
    public TimeSpan ConfirmTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Seeding budget for the most recent turns and tool calls, sent as conversation items, in
    /// estimated tokens (characters / 4) [4000: an eighth of gpt-realtime's 32k context, leaving
    /// room for the instructions, tools and the rest of the session's audio].
    /// </summary>
    public int SeedItemTokens { get; set; } = 4000;

    /// <summary>Budget for the summary of the turns before those, added to the instructions, in estimated tokens [1000].</summary>
    public int SeedSummaryTokens { get; set; } = 1000;

    /// <summary>True when <see cref="Endpoint"/> is the embedded simulator (logged and reported as such).</summary>
    public bool Simulated { get; set; }

    /// <summary>The keys of the configuration section <c>Realtime</c>: the tuning shared by every Realtime engine of a node.</summary>
    public static IReadOnlyList<string> Settable { get; } =
        [nameof(TranscriptionModel), nameof(SilenceDurationMs), nameof(ConnectTimeout), nameof(ConfirmTimeout), nameof(SeedItemTokens), nameof(SeedSummaryTokens)];

    /// <summary>The environment variable holding the key for <see cref="ApiKeyHeader"/>.</summary>
    public string ApiKeyVariable => ApiKeyHeader == "api-key" ? "AZURE_OPENAI_API_KEY" : "OPENAI_API_KEY";

    public Uri ConnectUri => new($"{Endpoint.AbsoluteUri.TrimEnd('/')}?model={Uri.EscapeDataString(Model)}");

    /// <summary>A copy of these options (the tuning kept) for one engine at one endpoint.</summary>
    public RealtimeEngineOptions For(string name, Uri endpoint, string? apiKey, string apiKeyHeader, bool simulated)
    {
        var copy = (RealtimeEngineOptions)MemberwiseClone();
        copy.Name = name;
        copy.Endpoint = endpoint;
        copy.ApiKey = apiKey;
        copy.ApiKeyHeader = apiKeyHeader;
        copy.Simulated = simulated;
        return copy;
    }

    /// <summary>Problems with the options, each naming its key (the engine's own settings by engine name, the tuning as <c>Realtime:KEY</c>).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Endpoint.Scheme is not ("ws" or "wss"))
        {
            errors.Add($"{Name}: the endpoint must be a ws:// or wss:// URL, got '{Endpoint}'");
        }

        if (!Simulated && string.IsNullOrWhiteSpace(ApiKey))
        {
            errors.Add($"{ApiKeyVariable} is required: engine '{Name}' uses a non-simulated endpoint ({Endpoint})");
        }

        if (ApiKeyHeader is not ("Authorization" or "api-key"))
        {
            errors.Add($"{Name}: the key header must be Authorization or api-key, got '{ApiKeyHeader}'");
        }

        if (string.IsNullOrWhiteSpace(Model))
        {
            errors.Add($"{Name}: the model must not be empty");
        }

        errors.AddRange(ValidateTuning());
        return errors;
    }

    /// <summary>Problems with the tuning (<see cref="Settable"/>), each naming its key <c>Realtime:KEY</c>.</summary>
    public IReadOnlyList<string> ValidateTuning()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(TranscriptionModel))
        {
            errors.Add("Realtime:TranscriptionModel must not be empty");
        }

        if (SilenceDurationMs is < 100 or > 5000)
        {
            errors.Add($"Realtime:SilenceDurationMs must be 100-5000, got {SilenceDurationMs}");
        }

        if (ConfirmTimeout < TimeSpan.FromMilliseconds(100) || ConfirmTimeout > TimeSpan.FromMinutes(1))
        {
            errors.Add($"Realtime:ConfirmTimeout must be 100 ms to 1 min, got {ConfirmTimeout}");
        }

        if (ConnectTimeout < TimeSpan.FromMilliseconds(100) || ConnectTimeout > TimeSpan.FromMinutes(1))
        {
            errors.Add($"Realtime:ConnectTimeout must be 100 ms to 1 min, got {ConnectTimeout}");
        }

        foreach (var (name, value) in new[] { ("SeedItemTokens", SeedItemTokens), ("SeedSummaryTokens", SeedSummaryTokens) })
        {
            if (value is < 0 or > 100_000)
            {
                errors.Add($"Realtime:{name} must be 0-100000, got {value}");
            }
        }

        return errors;
    }
}
