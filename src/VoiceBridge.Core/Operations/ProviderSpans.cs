using System.Diagnostics;

namespace VoiceBridge.Operations;

/// <summary>
/// Spans of the requests an engine makes to its providers (a Realtime session's connect, a cascade's
/// speech-to-text session, LLM request and text-to-speech request), children of the call's span
/// (the engines run in the call's async flow). Null when nobody listens, so they cost nothing then.
/// </summary>
public static class ProviderSpans
{
    public const string RealtimeConnect = "realtime.connect";
    public const string SpeechToText = "stt.session";
    public const string Llm = "llm.request";
    public const string TextToSpeech = "tts.request";
    public const string EngineTag = "engine";
    public const string ProviderTag = "provider";

    /// <summary>Starts span <paramref name="name"/> for <paramref name="engine"/>'s request to <paramref name="provider"/>.</summary>
    public static Activity? Start(string name, string engine, string provider)
    {
        var span = BridgeTelemetry.StartSpan(name, ActivityKind.Client);
        span?.SetTag(EngineTag, engine);
        span?.SetTag(ProviderTag, provider);
        return span;
    }

    /// <summary>
    /// Marks the span failed with <paramref name="error"/>'s message and returns false, so that
    /// <c>catch (Exception e) when (ProviderSpans.Failed(span, e))</c> records every failure
    /// without catching it (the handlers after it still run).
    /// </summary>
    public static bool Failed(Activity? span, Exception error)
    {
        span?.SetStatus(ActivityStatusCode.Error, error.Message);
        return false;
    }
}
