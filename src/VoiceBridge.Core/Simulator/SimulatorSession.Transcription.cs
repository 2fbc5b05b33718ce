using VoiceBridge.Engines.Realtime.Protocol;
using VoiceBridge.Faults;

namespace VoiceBridge.Simulator;

internal sealed partial class SimulatorSession
{
    /// <summary>The token logprob the simulated transcription model reports for every word (confidence about 0.95).</summary>
    internal const double WordLogprob = -0.05;

    /// <summary>
    /// A transcription session's committed turn: the transcript word by word as deltas, then
    /// completed with a logprob per word (transcription sessions always ask for them). It is the
    /// Nth transcript the simulator serves (<c>turnN</c> of a speech-to-text stage): a fault
    /// planned for it strikes instead of it, or just after it (<c>@done</c>); empty-transcript
    /// empties it; stall-response withholds it.
    /// </summary>
    private void Transcribe(string itemId, string transcript)
    {
        if (_config.TranscriptionModel is null)
        {
            return;
        }

        var fault = _simulator.Faults.OnResponse();
        switch (fault)
        {
            case { Kind: FaultKind.EmptyTranscript }:
                _simulator.Faults.Strike(fault);
                transcript = "";
                fault = null;
                break;
            case { Kind: FaultKind.StallResponse }:
                _simulator.Faults.Strike(fault);
                return;
            case { When.Point: not TurnPoint.Done }:
                Execute(fault);
                return;
        }

        var words = transcript.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < words.Length; i++)
        {
            var delta = i == 0 ? words[i] : " " + words[i];
            Send(w => RealtimeServerWriter.WriteInputTranscriptionDelta(w, EventId(), itemId, 0, delta));
        }

        var logprobs = words.Select(w => (w, WordLogprob)).ToList();
        Send(w => RealtimeServerWriter.WriteInputTranscriptionCompleted(w, EventId(), itemId, 0, transcript, logprobs));
        if (fault is not null)
        {
            Execute(fault);
        }
    }

    /// <summary>A session's type is fixed at connect (<c>?intent=transcription</c>); an update that changes it is refused.</summary>
    private bool ChangesType(RealtimeSessionUpdate update)
    {
        if (update.Values.Type == _config.Type)
        {
            return false;
        }

        var (from, to) = (Name(_config.Type), Name(update.Values.Type));
        SendError("invalid_request_error", "invalid_value", $"session.type cannot change from '{from}' to '{to}'; connect with ?intent=transcription for a transcription session");
        return true;
    }

    private static string Name(RealtimeSessionType type) => type == RealtimeSessionType.Transcription ? "transcription" : "realtime";
}
