using System.Net;
using VoiceBridge.Call;
using VoiceBridge.Legs.Sip.Sdp;

namespace VoiceBridge.Legs.Sip;

/// <summary>
/// One SIP call as the UAS holds it: the dialog (RFC 3261 12: Call-ID, both tags, the caller's
/// target and route set, both CSeq counters), the 2xx retransmission until the ACK, the media leg
/// and the call session. Requests the leg asks for (BYE, REFER) go out through the endpoint.
/// </summary>
internal sealed class SipCall(SipEndpoint endpoint, string callId, string localTag, string remoteTag, IPEndPoint source) : ISipDialogActions
{
    public string CallId { get; } = callId;

    public string LocalTag { get; } = localTag;

    public string RemoteTag { get; } = remoteTag;

    /// <summary>Where the INVITE came from: in-dialog requests go here when there is no route set (symmetric signalling, right behind NAT).</summary>
    public IPEndPoint Source { get; } = source;

    /// <summary>The call's place under the node's call limits, freed when the call has ended.</summary>
    public Security.CallLimits.Lease? Lease { get; init; }

    /// <summary>The caller's Contact: the Request-URI of requests we send in the dialog.</summary>
    public string RemoteTarget { get; set; } = "";

    /// <summary>The INVITE's Record-Route values in order (a UAS uses them as they are, 12.1.1).</summary>
    public IReadOnlyList<SipNameAddr> RouteSet { get; set; } = [];

    /// <summary>Our From (their To, with our tag) and their From, as sent in our requests.</summary>
    public string LocalParty { get; set; } = "";

    public string RemoteParty { get; set; } = "";

    public long LocalSequence { get; set; } = Random.Shared.Next(1, 1 << 20);

    public long RemoteSequence { get; set; }

    /// <summary>The last 2xx to an INVITE, retransmitted until its ACK (13.3.1.4).</summary>
    public byte[]? PendingOk { get; set; }

    public long PendingOkCSeq { get; set; }

    public IPEndPoint OkDestination { get; set; } = source;

    public long NextOkRetransmitMs { get; set; }

    public long OkIntervalMs { get; set; }

    public long OkGiveUpAtMs { get; set; }

    public SdpLocal Sdp { get; set; } = null!;

    /// <summary>The last SDP we sent: our answer, or our offer in the 200 to a re-INVITE without one.</summary>
    public SdpSession? LastAnswer { get; set; }

    /// <summary>Our 200 carried an offer (the re-INVITE had none): its answer comes in the ACK.</summary>
    public bool AwaitingAnswer { get; set; }

    public SipCallLeg? Leg { get; set; }

    public CallSession? Session { get; set; }

    public Task? Run { get; set; }

    /// <summary>A BYE went out or came in: the call is over (media stopping, session closing).</summary>
    public bool Ending { get; set; }

    /// <summary>The INVITE had no offer: ours went in the 200, and until the ACK's answer is taken the call has no media to send.</summary>
    public bool DelayedOffer { get; set; }

    /// <summary>Why the call ended (a BYE either way, a CANCEL, no ACK), for the call's summary.</summary>
    public string? EndReason { get; set; }

    public void SendBye(string reason) => endpoint.SendBye(this, reason);

    public Task ReferAsync(string target, CancellationToken cancellationToken) => endpoint.ReferAsync(this, target, cancellationToken);
}
