using Microsoft.Extensions.AI;
using VoiceBridge.Engines;
using VoiceBridge.Engines.Cascade;
using VoiceBridge.Faults;
using VoiceBridge.Simulator;

namespace VoiceBridge.Replay;

/// <summary>
/// What replay wraps around a chain's cascade stages: the fault decorators of the local stages
/// (<see cref="LocalStageFaults"/>), and around the local speech-to-text a keeper of the call's
/// transcript hints. The simulated providers "hear" the caller's utterances as the hints, in
/// order, taking one per utterance; an in-process recogniser hears them itself, so each utterance
/// it delivers a transcript for uses up its hint too, and a provider that takes over after it
/// (hearing the next utterance, or one replayed because it was never transcribed) hears the right one.
/// </summary>
internal sealed class ReplayStages(SimulatorControl control, LocalStageFaults? faults) : ICascadeStageWrapper
{
    public ISpeechToText SpeechToText(EngineSpec engine, ISpeechToText stage) => SpeechToText(engine, stage, null);

    /// <summary>The local recogniser of call <paramref name="callId"/> uses up that call's hints (see <see cref="SimulatorControl"/>).</summary>
    public ISpeechToText SpeechToText(EngineSpec engine, ISpeechToText stage, string? callId)
    {
        var inner = faults is null ? stage : ((ICascadeStageWrapper)faults).SpeechToText(engine, stage);
        return LocalStageFaults.IsLocal(engine.Stt) ? new HintKeepingSpeechToText(inner, control, callId) : inner;
    }

    public IChatClient Chat(EngineSpec engine, IChatClient stage) =>
        faults is null ? stage : ((ICascadeStageWrapper)faults).Chat(engine, stage);

    public ITextToSpeech TextToSpeech(EngineSpec engine, ITextToSpeech stage) =>
        faults is null ? stage : ((ICascadeStageWrapper)faults).TextToSpeech(engine, stage);

    /// <summary>Passes everything through; each final transcript the engine gets uses up the utterance's hint.</summary>
    private sealed class HintKeepingSpeechToText(ISpeechToText inner, SimulatorControl control, string? callId) : ISpeechToText, ISpeechToTextEvents
    {
        private ISpeechToTextEvents? _events;

        public string Name => inner.Name;

        public Task StartAsync(ISpeechToTextEvents events, CancellationToken cancellationToken)
        {
            _events = events;
            return inner.StartAsync(this, cancellationToken);
        }

        public void SendAudio(ReadOnlySpan<byte> mulaw) => inner.SendAudio(mulaw);

        public void EndOfUtterance() => inner.EndOfUtterance();

        public ValueTask DisposeAsync() => inner.DisposeAsync();

        public ValueTask OnTranscriptAsync(SpeechTranscript transcript)
        {
            if (transcript.IsFinal)
            {
                _ = control.NextTranscript(callId);
            }

            return _events!.OnTranscriptAsync(transcript);
        }

        public ValueTask OnErrorAsync(string message, bool fatal) => _events!.OnErrorAsync(message, fatal);
    }
}
