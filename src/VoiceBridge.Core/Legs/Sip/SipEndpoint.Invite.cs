using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using VoiceBridge.Legs.Sip.Sdp;

namespace VoiceBridge.Legs.Sip;

public sealed partial class SipEndpoint
{
    /// <summary>Retry-After of the 503 a draining node answers a new INVITE with: long enough for it to be gone.</summary>
    private const string DrainingRetryAfterSeconds = "30";

    private void OnInvite(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        if (request.To.Tag is not null)
        {
            OnReInvite(transaction);
            return;
        }

        if (_calls.ContainsKey(request.CallId))
        {
            // Same Call-ID and From tag, another branch: a request that forked back to us (8.2.2.2).
            Respond(transaction, 482, "Loop Detected");
            return;
        }

        if (!_registry.Accepting)
        {
            // The node is draining: the caller's proxy tries another node (RFC 3261 21.5.4).
            var draining = CreateResponse(request, 503, "Service Unavailable");
            draining.Headers.Set("Retry-After", DrainingRetryAfterSeconds);
            Send(transaction, draining);
            return;
        }

        // No body: a delayed offer (RFC 3261 13.2.1). Ours goes in the 200, the answer comes in the ACK.
        SdpSession? offer = null;
        var delayed = request.Body.Length == 0;
        if (!delayed && !TryNegotiate(transaction, null, out offer, out _))
        {
            return;
        }

        var lease = Admit(transaction);
        if (lease is null)
        {
            return;
        }

        Respond(transaction, 100, "Trying");
        (Transport.IDatagramSocket Rtp, Transport.IDatagramSocket Rtcp) sockets;
        try
        {
            sockets = _ports!.Take();
        }
        catch (InvalidOperationException e)
        {
            lease.Dispose();
            Log.NoPorts(_logger, request.CallId, e.Message);
            var busy = CreateResponse(request, 503, "Service Unavailable");
            busy.Headers.Set("Retry-After", "5");
            Send(transaction, busy);
            return;
        }

        var call = new SipCall(this, request.CallId, NewTag(), request.From.Tag ?? "", transaction.Source)
        {
            RemoteTarget = request.Contact?.Uri.ToString() ?? request.From.Uri.ToString(),
            RouteSet = request.RecordRoute,
            RemoteSequence = request.CSeq.Number,
            RemoteParty = request.From.ToString(),
            Lease = lease,
            Sdp = new SdpLocal(_options.PublicAddress.ToString(), sockets.Rtp.LocalEndPoint.Port, (ulong)_time.GetUtcNow().ToUnixTimeSeconds(), 1),
        };
        call.LocalParty = request.To.WithTag(call.LocalTag).ToString();
        transaction.Call = call;
        _calls[call.CallId] = call;

        RtpMediaParams media;
        if (delayed)
        {
            // Until the ACK's answer says where and how, the leg only listens (no RTP timeout while it does not send).
            call.LastAnswer = SdpNegotiator.Offer(call.Sdp);
            call.AwaitingAnswer = true;
            call.DelayedOffer = true;
            media = new RtpMediaParams(new IPEndPoint(transaction.Source.Address, 9), RtpCodec.Pcmu, 0, SdpNegotiator.OfferedTelephoneEventType, Send: false, Receive: true);
        }
        else
        {
            var answer = SdpNegotiator.Answer(offer!, call.Sdp);
            call.LastAnswer = answer.Answer;
            media = Media(answer.Choice!);
        }

        var leg = new SipCallLeg(call.CallId, call, sockets.Rtp, sockets.Rtcp, media, _jitter, _options.RtpTimeout, _time, _loggers.CreateLogger<SipCallLeg>());
        call.Leg = leg;
        // Answered at once, so no 180 (RFC 3261 13.3.1.1: a provisional response is for a UAS that cannot
        // answer immediately). Sent back to back, a 180 can reach the caller after the 200 through a proxy
        // whose workers relay replies in parallel (Kamailio does), and a strict UAC fails the call on it.
        SendOk(transaction, call);
        StartCall(call, leg, sockets.Rtp.LocalEndPoint.Port);
    }

    /// <summary>A re-INVITE in an existing dialog: hold, unhold, codec or address change; answered with the new answer, or 488 keeping the old media.</summary>
    private void OnReInvite(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        var call = FindCall(request);
        if (call is null || call.Ending)
        {
            Respond(transaction, 481, "Call/Transaction Does Not Exist");
            return;
        }

        if (request.CSeq.Number <= call.RemoteSequence)
        {
            Respond(transaction, 500, "Server Internal Error: CSeq out of order");
            return;
        }

        call.RemoteSequence = request.CSeq.Number;
        if (call.PendingOk is not null)
        {
            // The previous INVITE's 2xx is not yet acknowledged (14.2).
            var retry = CreateResponse(request, 500, "Server Internal Error: previous INVITE pending");
            retry.Headers.Set("Retry-After", "1");
            Send(transaction, retry);
            return;
        }

        if (request.Body.Length == 0)
        {
            // No offer (RFC 3261 14.2): ours goes in the 200, the answer comes in the ACK. We offer
            // what we want, the current codec sending and receiving (RFC 6337 5.3: a resume from
            // hold by a B2BUA comes this way), not the last answer's direction.
            var offer = Reoffer(call.LastAnswer!);
            call.LastAnswer = WithVersion(call, offer);
            call.AwaitingAnswer = true;
        }
        else
        {
            if (!TryNegotiate(transaction, call, out var offer, out _))
            {
                return;
            }

            var answer = SdpNegotiator.Answer(offer!, call.Sdp);
            call.LastAnswer = WithVersion(call, answer.Answer!);
            call.Leg!.UpdateMedia(Media(answer.Choice!) with { Held = answer.Choice!.IsHold });
            Log.MediaUpdated(_logger, call.CallId, answer.Choice!.Codec.ToString(), answer.Choice.Direction.ToString(), answer.Choice.IsHold);
        }

        if (request.Contact is { } contact)
        {
            call.RemoteTarget = contact.Uri.ToString();
        }

        SendOk(transaction, call);
    }

    /// <summary>Checks the offer in a request with a body; answers 415 / 400 / 488 itself when it cannot be taken.</summary>
    private bool TryNegotiate(SipServerTransaction transaction, SipCall? call, out SdpSession? offer, out SdpMediaChoice? choice)
    {
        var request = transaction.Request;
        offer = null;
        choice = null;
        (var status, offer, var bodyError) = SipBody.ReadSdp(request);
        if (status == 415)
        {
            var unsupported = CreateResponse(request, 415, Truncate("Unsupported Media Type: " + bodyError));
            unsupported.Headers.Set("Accept", SipBody.Accepted);
            Send(transaction, unsupported);
            return false;
        }

        if (status != 0)
        {
            Counters.Malformed++;
            Respond(transaction, 400, Truncate("Bad Request: " + bodyError));
            return false;
        }

        var local = call?.Sdp ?? new SdpLocal(_options.PublicAddress.ToString(), 9, 0, 0);
        var result = SdpNegotiator.Answer(offer!, local);
        if (!result.Accepted)
        {
            Log.OfferRejected(_logger, request.CallId, result.RejectReason!);
            var rejected = CreateResponse(request, 488, "Not Acceptable Here");
            rejected.Headers.Set("Warning", result.WarningHeader(UserAgent)!);
            Send(transaction, rejected);
            return false;
        }

        choice = result.Choice;
        return true;
    }

    /// <summary>Sends a 2xx with our answer and retransmits it until the ACK (T1 doubling to T2, up to 64*T1).</summary>
    private void SendOk(SipServerTransaction transaction, SipCall call)
    {
        var ok = CreateResponse(transaction.Request, 200, "OK", call.LocalTag);
        ok.Headers.Set("Contact", $"<sip:{UserAgent.ToLowerInvariant()}@{HostPort()};transport=udp>");
        ok.Headers.Set("Content-Type", "application/sdp");
        ok.Body = Encoding.UTF8.GetBytes(call.LastAnswer!.ToString());
        Send(transaction, ok);
        call.PendingOk = transaction.LastResponse;
        call.OkDestination = ResponseDestination(transaction.Request, transaction.Source);
        call.PendingOkCSeq = transaction.Request.CSeq.Number;
        call.OkIntervalMs = T1Ms;
        call.NextOkRetransmitMs = NowMs + T1Ms;
        call.OkGiveUpAtMs = NowMs + (64 * T1Ms);
    }

    private void OnAck(SipMessage ack)
    {
        if (FindCall(ack) is { } call && ack.CSeq.Number == call.PendingOkCSeq)
        {
            // The ACK of our 2xx: stop retransmitting it (13.3.1.4).
            call.PendingOk = null;
            if (call.AwaitingAnswer)
            {
                call.AwaitingAnswer = false;
                TakeAnswer(call, ack);
            }

            return;
        }

        if (_serverTransactions.TryGetValue(TransactionKey(ack), out var transaction) && transaction.LastStatus >= 300)
        {
            // The ACK of a failure response: timer G stops (17.2.1).
            transaction.Acknowledged = true;
            transaction.NextRetransmitMs = long.MaxValue;
        }
    }

    /// <summary>
    /// The answer in the ACK to the offer of our 200. It is read as the negotiator reads an offer
    /// (the codec is one we offered, the direction mirrored to ours); one that cannot be taken leaves
    /// the media as they were, and is logged (there is no response to an ACK to refuse it in).
    /// </summary>
    private void TakeAnswer(SipCall call, SipMessage ack)
    {
        string? problem = null;
        if (ack.Body.Length == 0)
        {
            problem = "the ACK carries no SDP answer to the offer in our 200";
        }
        else if (SipBody.ReadSdp(ack) is var read && read.Sdp is null)
        {
            problem = "no SDP answer in the ACK: " + read.Error;
        }
        else if (SdpNegotiator.Answer(read.Sdp, call.Sdp) is { Choice: { } choice })
        {
            // An answer to the offer of a re-INVITE may hold the call; one to the first offer does not.
            call.Leg!.UpdateMedia(Media(choice) with { Held = choice.IsHold && !call.DelayedOffer });
            call.DelayedOffer = false;
            Log.MediaUpdated(_logger, call.CallId, choice.Codec.ToString(), choice.Direction.ToString(), choice.IsHold);
            return;
        }
        else
        {
            problem = "the SDP answer in the ACK accepts no audio stream we offered";
        }

        Log.AnswerRefused(_logger, call.CallId, problem);
        if (call.DelayedOffer)
        {
            // The call has no media to go on with (RFC 3261 13.3.1.4: the UAS ends it with a BYE).
            SendBye(call, problem);
        }
    }

    /// <summary>Our offer for a re-INVITE without one: the last SDP we sent, its audio stream sending and receiving.</summary>
    private static SdpSession Reoffer(SdpSession last)
    {
        SdpSession.TryParse(last.ToString(), out var offer, out _);
        foreach (var media in offer!.Media.Where(m => m.Port != 0))
        {
            media.Direction = SdpDirection.SendRecv;
        }

        return offer;
    }

    /// <summary>
    /// <paramref name="sdp"/> with our o= version: the last one when nothing else changed, else the
    /// next (RFC 3264 8: by exactly one, and only for a changed session).
    /// </summary>
    private static SdpSession WithVersion(SipCall call, SdpSession sdp)
    {
        sdp.Origin = sdp.Origin with { SessionVersion = call.Sdp.SessionVersion };
        if (call.LastAnswer is { } last && last.ToString() == sdp.ToString())
        {
            return sdp;
        }

        call.Sdp = call.Sdp with { SessionVersion = call.Sdp.SessionVersion + 1 };
        sdp.Origin = sdp.Origin with { SessionVersion = call.Sdp.SessionVersion };
        return sdp;
    }

    /// <summary>CANCEL (9.2): 200 to it; a call not yet answered gets 487 and ends. We answer at once, so a CANCEL usually finds a 200 already sent and changes nothing.</summary>
    private void OnCancel(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        var inviteKey = TransactionKey(request).Replace("|CANCEL", "|INVITE", StringComparison.Ordinal);
        if (!_serverTransactions.TryGetValue(inviteKey, out var invite))
        {
            Respond(transaction, 481, "Call/Transaction Does Not Exist");
            return;
        }

        // The To tag of the INVITE's responses, so the caller sees one dialog (9.2).
        Respond(transaction, 200, "OK", invite.Call?.LocalTag);
        if (invite.LastStatus < 200 && invite.Call is { } call)
        {
            Respond(invite, 487, "Request Terminated", call.LocalTag);
            EndCall(call, "cancelled by the caller");
        }
    }

    private static RtpMediaParams Media(SdpMediaChoice choice)
    {
        var address = IPAddress.TryParse(choice.RemoteAddress, out var parsed) ? parsed : IPAddress.Any;
        return new RtpMediaParams(
            new IPEndPoint(address, choice.RemotePort),
            choice.Codec == SdpCodec.Pcmu ? RtpCodec.Pcmu : RtpCodec.Pcma,
            (byte)choice.PayloadType,
            choice.TelephoneEventPayloadType is { } te ? (byte)te : null,
            choice.Sends,
            choice.Receives);
    }

    private string HostPort()
    {
        var address = _options.PublicAddress;
        var host = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        return $"{host}:{_socket!.LocalEndPoint.Port}";
    }

    private static string Truncate(string reason) => reason.Length > MaxReasonLength ? reason[..MaxReasonLength] : reason;
}
