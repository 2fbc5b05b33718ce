using Microsoft.Extensions.Logging;
using VoiceBridge.Call;
using VoiceBridge.Legs.Rtp;
using VoiceBridge.Transport;

namespace VoiceBridge.Legs.Sip;

/// <summary>
/// The media side of one SIP call: the shared <see cref="RtpCallLeg"/> (jitter buffer in, paced RTP out
/// with one SSRC for the whole call, marks and clear for the playout buffer, RFC 4733 both ways) over two
/// plain UDP sockets, with G.711 as the SDP settled it; hang-up and transfer go to the SIP dialog
/// (BYE, REFER).
/// </summary>
public sealed class SipCallLeg : ICallerLegOutput
{
    private readonly RtpCallLeg _leg;

    internal SipCallLeg(string callId, ISipDialogActions dialog, IDatagramSocket rtp, IDatagramSocket rtcp, RtpMediaParams media, JitterBufferOptions jitter, TimeSpan rtpTimeout, TimeProvider time, ILogger logger)
    {
        _leg = new RtpCallLeg(callId, "sip", new SipRtpTransport(rtp, rtcp), ToLegMedia(media), new DialogControl(dialog), jitter, rtpTimeout, time, logger);
    }

    public string CallId => _leg.CallId;

    /// <summary>The local RTP port (in the SDP answer).</summary>
    public int RtpPort => _leg.RtpPort;

    /// <summary>The outbound stream's SSRC: one for the whole call.</summary>
    public uint Ssrc => _leg.Ssrc;

    /// <summary>Agent frames that could not be queued because the leg's buffer was full.</summary>
    public long OverflowFrames => _leg.OverflowFrames;

    /// <summary>Starts the media loops for <paramref name="session"/>; <see cref="RunAsync"/> returns when the call's media ends.</summary>
    public void Attach(CallSession session) => _leg.Attach(session);

    /// <summary>A re-INVITE changed the media (hold, unhold, codec, address).</summary>
    public void UpdateMedia(RtpMediaParams media) => _leg.UpdateMedia(ToLegMedia(media));

    /// <summary>Stops the media loops (BYE either way, CANCEL, timeouts).</summary>
    public void Stop() => _leg.Stop();

    public void SendAudio(ReadOnlySpan<byte> frame) => _leg.SendAudio(frame);

    public void SendMark(PlayoutMark mark) => _leg.SendMark(mark);

    public void Clear() => _leg.Clear();

    /// <summary>A digit signalled out of band (SIP INFO); it reaches the call on the next tick, like an RFC 4733 event.</summary>
    public void OnSignalledDigit(char digit) => _leg.OnSignalledDigit(digit);

    /// <inheritdoc cref="RtpCallLeg.SendDtmf"/>
    public bool SendDtmf(string digits) => _leg.SendDtmf(digits);

    public void HangUp() => _leg.HangUp();

    public Task TransferAsync(string target, CancellationToken cancellationToken) => _leg.TransferAsync(target, cancellationToken);

    /// <summary>Runs the media loops until the call ends; completes with the leg's figures.</summary>
    public Task<RtpMediaFigures> RunAsync() => _leg.RunAsync();

    private static RtpLegMedia ToLegMedia(RtpMediaParams media) => new(
        media.Remote,
        media.Codec == RtpCodec.Pcma ? G711RtpCodec.Pcma : G711RtpCodec.Pcmu,
        media.PayloadType,
        media.TelephoneEventType,
        media.Send,
        media.Receive,
        media.Held);

    /// <summary>The dialog as the RTP leg's signalling: hang-up is a BYE, transfer a REFER.</summary>
    private sealed class DialogControl(ISipDialogActions dialog) : IRtpCallControl
    {
        public void HangUp(string reason) => dialog.SendBye(reason);

        public Task TransferAsync(string target, CancellationToken cancellationToken) => dialog.ReferAsync(target, cancellationToken);
    }
}
