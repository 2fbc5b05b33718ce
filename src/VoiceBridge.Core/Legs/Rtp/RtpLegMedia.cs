using System.Net;

namespace VoiceBridge.Legs.Rtp;

/// <summary>
/// What signalling settled for an <see cref="RtpCallLeg"/>: where to send (until symmetric RTP learns the
/// peer's real source), the audio codec and its payload type, the telephone-event payload type (at the
/// codec's clock rate), and which directions are on (a caller on hold sends, or receives, nothing).
/// <c>Held</c>: the caller put the established call on hold (a re-offer that stops our sending), so
/// agent audio waits for them, and what the phone sends meanwhile (music on hold) is not the caller.
/// </summary>
public sealed record RtpLegMedia(IPEndPoint Remote, IRtpAudioCodec Codec, byte PayloadType, byte? TelephoneEventType, bool Send, bool Receive, bool Held = false);
