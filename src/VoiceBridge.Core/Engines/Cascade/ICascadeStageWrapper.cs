using Microsoft.Extensions.AI;

namespace VoiceBridge.Engines.Cascade;

/// <summary>
/// Wraps a cascade's stages as the engine factory builds them, one engine at a time (replay puts
/// fault injection around the in-process local stages, which have no wire to fail on). Each method
/// returns the stage to use; the defaults leave it as it is.
/// </summary>
public interface ICascadeStageWrapper
{
    /// <summary>Leaves every stage as it is.</summary>
    static ICascadeStageWrapper None { get; } = new Unwrapped();

    ISpeechToText SpeechToText(EngineSpec engine, ISpeechToText stage) => stage;

    /// <summary>The speech-to-text stage of an engine built for call <paramref name="callId"/> (null: no call, e.g. a probe).</summary>
    ISpeechToText SpeechToText(EngineSpec engine, ISpeechToText stage, string? callId) => SpeechToText(engine, stage);

    IChatClient Chat(EngineSpec engine, IChatClient stage) => stage;

    ITextToSpeech TextToSpeech(EngineSpec engine, ITextToSpeech stage) => stage;

    private sealed class Unwrapped : ICascadeStageWrapper;
}
