using VoiceBridge.Media;

namespace VoiceBridge.Call;

public sealed partial class CallSession
{
    private const string ConsentItem = "consent-prompt";

    /// <summary>How long past the prompt's own length the agent waits for the carrier to confirm it was heard.</summary>
    private const long ConsentGraceMs = 2000;

    /// <summary>While the consent prompt plays: when the agent starts listening anyway (a mark that never comes back).</summary>
    private long? _consentUntilMs;

    /// <summary>
    /// Plays <see cref="CallSessionOptions.Consent"/> at call start; true when it does, and the first
    /// engine then waits for it: the agent does not hear the caller (nor answer) before the notice has
    /// been played, so nothing said over it reaches a provider.
    /// </summary>
    private bool PlayConsent()
    {
        if (_options.Consent is not { Length: > 0 } consent)
        {
            return false;
        }

        var audioMs = CallClock.SamplesToMs(consent.Length);
        _consentUntilMs = NowMs + audioMs + ConsentGraceMs;
        _playout.Enqueue(0, ConsentItem, consent);
        _playout.EndItem(ConsentItem);
        Audit("consent-prompt", null, null, "played", new { audioMs });
        return true;
    }

    /// <summary>The prompt is over: the first engine starts on the caller's audio from now on.</summary>
    private void EndConsent(string how)
    {
        if (_consentUntilMs is null)
        {
            return;
        }

        _consentUntilMs = null;
        _responseDeadlineMs = null;
        Audit("consent-prompt", null, null, how, new { atMs = NowMs });
        StartFirstEngine(_audioLog.End);
    }
}
