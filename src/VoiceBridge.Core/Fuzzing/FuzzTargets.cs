using System.Text;

namespace VoiceBridge.Fuzzing;

/// <summary>
/// Every parser of untrusted input, as a fuzz target (<c>voicebridge fuzz</c>, docs/hardening.md). Each
/// target's seeds are real messages built here; its parse delegate calls the parser and treats the
/// parser's documented rejection as a normal outcome.
/// </summary>
public static partial class FuzzTargets
{
    /// <summary>All targets, in the order the command runs them.</summary>
    public static IReadOnlyList<FuzzTarget> All() =>
    [
        Sip(), Sdp(), WebRtcOfferTarget(), Rtp(), Rtcp(), TelephoneEvent(), Stun(), DtlsRecord(), Srtp(),
        TwilioInbound(), TwilioOutbound(), RealtimeServer(), RealtimeClient(), Deepgram(), ElevenLabs(), Chat(),
        Wav(), Ogg(), FaultSpecTarget(), ChainSpecTarget(), Config(),
    ];

    /// <summary>The target named <paramref name="name"/>, or null.</summary>
    public static FuzzTarget? Find(string name) => All().FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));

    private static byte[][] Utf8(params string[] texts) => [.. texts.Select(Encoding.UTF8.GetBytes)];
}
