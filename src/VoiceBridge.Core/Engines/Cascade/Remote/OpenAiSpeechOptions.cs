namespace VoiceBridge.Engines.Cascade.Remote;

/// <summary>
/// Where and how to reach OpenAI's <c>POST /v1/audio/speech</c>. The key comes from
/// <c>OPENAI_API_KEY</c>; with none configured a simulator stands in.
/// </summary>
public sealed class OpenAiSpeechOptions
{
    /// <summary>Base URL, http:// or https:// [https://api.openai.com].</summary>
    public Uri BaseUrl { get; set; } = new("https://api.openai.com");

    /// <summary>Sent as <c>Authorization: Bearer KEY</c>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>tts-1, tts-1-hd or gpt-4o-mini-tts [gpt-4o-mini-tts].</summary>
    public string Model { get; set; } = "gpt-4o-mini-tts";

    public string Voice { get; set; } = "alloy";

    /// <summary>Until the response headers arrive, and then between body reads [10 s].</summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>True when <see cref="BaseUrl"/> is a simulator (logged as such).</summary>
    public bool Simulated { get; set; }

    public Uri SpeechUri => new($"{BaseUrl.AbsoluteUri.TrimEnd('/')}/v1/audio/speech");

    /// <summary>Problems with the options, each naming its key.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (BaseUrl.Scheme is not ("http" or "https"))
        {
            errors.Add($"OpenAiSpeech:BaseUrl must be an http:// or https:// URL, got '{BaseUrl}'");
        }

        if (!Simulated && string.IsNullOrWhiteSpace(ApiKey))
        {
            errors.Add("OPENAI_API_KEY is required for a non-simulated OpenAI speech endpoint");
        }

        if (string.IsNullOrWhiteSpace(Model) || string.IsNullOrWhiteSpace(Voice))
        {
            errors.Add("OpenAiSpeech:Model and OpenAiSpeech:Voice must not be empty");
        }

        if (ReadTimeout <= TimeSpan.Zero)
        {
            errors.Add($"OpenAiSpeech:ReadTimeout must be positive, got {ReadTimeout}");
        }

        return errors;
    }
}
