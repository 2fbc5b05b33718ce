using System.Net;
using Microsoft.Extensions.Logging;
using VoiceBridge.Call;

namespace VoiceBridge.Legs.Sip;

public sealed partial class SipEndpoint
{
    /// <summary>Starts the call session and the media for an answered INVITE.</summary>
    private void StartCall(SipCall call, SipCallLeg leg, int rtpPort)
    {
        var session = _sessionFactory(call.CallId, leg);
        call.Session = session;
        leg.Attach(session);
        _registry.Started(session);
        Counters.Calls++;
        Log.CallStarted(_logger, call.CallId, call.Source.ToString(), rtpPort);
        call.Run = RunCallAsync(call, leg, session, rtpPort);
    }

    private async Task RunCallAsync(SipCall call, SipCallLeg leg, CallSession session, int rtpPort)
    {
        var sessionRun = session.RunAsync(CancellationToken.None);
        var media = await leg.RunAsync();
        await session.OnHangupAsync(call.EndReason ?? "media ended");
        var summary = await sessionRun;
        _ports!.Release(rtpPort);
        lock (_gate)
        {
            _calls.Remove(call.CallId);
        }

        call.Lease?.Dispose();

        _registry.Ended(session, summary with { Media = media });
        Log.CallEnded(_logger, call.CallId, media.PacketsReceived, media.PacketsSent, media.ConcealedMs, media.JitterTargetDelayMs);
    }

    /// <summary>The call is over (BYE either way, CANCEL, no ACK): the media stops, the session ends.</summary>
    private void EndCall(SipCall call, string reason)
    {
        if (call.Ending)
        {
            return;
        }

        call.Ending = true;
        call.EndReason = reason;
        call.PendingOk = null;
        Log.CallEnding(_logger, call.CallId, reason);
        call.Leg?.Stop();
    }

    /// <summary>A BYE from our side (12.2.1.1): sent in the dialog, retransmitted until answered; the call ends at once.</summary>
    internal void SendBye(SipCall call, string reason)
    {
        lock (_gate)
        {
            if (call.Ending)
            {
                return;
            }

            var bye = InDialogRequest(call, "BYE");
            bye.Headers.Set("Reason", $"SIP;cause=200;text=\"{reason.Replace('"', '\'')}\"");
            _ = SendRequest(call, bye);
            EndCall(call, reason);
        }
    }

    /// <summary>REFER (RFC 3515): asks the caller's side to call <paramref name="target"/>; the 202 is success, the call then ends by their BYE.</summary>
    internal async Task ReferAsync(SipCall call, string target, CancellationToken cancellationToken)
    {
        Task<SipMessage> final;
        lock (_gate)
        {
            if (call.Ending)
            {
                throw new InvalidOperationException("the call has ended");
            }

            var refer = InDialogRequest(call, "REFER");
            var uri = target.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) ? target : $"tel:{target}";
            refer.Headers.Set("Refer-To", $"<{uri}>");
            refer.Headers.Set("Referred-By", $"<sip:{UserAgent.ToLowerInvariant()}@{HostPort()}>");
            final = SendRequest(call, refer);
        }

        var response = await final.WaitAsync(cancellationToken);
        if (response.StatusCode is < 200 or >= 300)
        {
            throw new InvalidOperationException($"the caller's side refused the transfer: {response.StatusCode} {response.ReasonPhrase}");
        }

        Log.Referred(_logger, call.CallId, target);
    }

    /// <summary>A request in the dialog (12.2.1.1): Request-URI the remote target, Route the route set (loose routing; a strict first hop takes the Request-URI).</summary>
    private SipMessage InDialogRequest(SipCall call, string method)
    {
        var routes = call.RouteSet.ToList();
        var requestUri = call.RemoteTarget;
        if (routes.Count > 0 && !routes[0].Uri.LooseRouting)
        {
            requestUri = routes[0].Uri.ToString();
            routes.RemoveAt(0);
            routes.Add(SipNameAddr.TryParse($"<{call.RemoteTarget}>", out var target, out _) ? target! : routes[^1]);
        }

        var request = SipMessage.Request(method, requestUri);
        request.Headers.Add("Via", $"SIP/2.0/UDP {HostPort()};branch={NewBranch()};rport");
        request.Headers.Add("Max-Forwards", "70");
        foreach (var route in routes)
        {
            request.Headers.Add("Route", route.ToString());
        }

        request.Headers.Add("From", call.LocalParty);
        request.Headers.Add("To", call.RemoteParty);
        request.Headers.Add("Call-ID", call.CallId);
        request.Headers.Add("CSeq", $"{++call.LocalSequence} {method}");
        request.Headers.Add("User-Agent", UserAgent);
        return request;
    }

    /// <summary>Starts a non-INVITE client transaction in a dialog; the destination is the first route, else where the INVITE came from.</summary>
    private Task<SipMessage> SendRequest(SipCall call, SipMessage request) =>
        SendRequest(request, call.RouteSet.Count > 0 && Resolve(call.RouteSet[0].Uri) is { } first ? first : call.Source);

    /// <summary>Sends a request with our Via as a non-INVITE client transaction (timers E/F); its final response completes the task.</summary>
    private Task<SipMessage> SendRequest(SipMessage request, IPEndPoint destination)
    {
        var bytes = request.ToBytes();
        var transaction = new SipClientTransaction(request.TopVia.Branch!, bytes, destination, NowMs, T1Ms);
        _clientTransactions[transaction.Branch] = transaction;
        Counters.Sent++;
        _socket!.Send(bytes, destination);
        return transaction.Final;
    }

    private static IPEndPoint? Resolve(SipUri uri) =>
        IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) ? new IPEndPoint(address, uri.Port ?? 5060) : null;

    /// <summary>Every retransmission timer: 2xx until ACK, INVITE failures until ACK (G/H), client requests (E/F), transaction expiry (J).</summary>
    private async Task RunTimersAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(TimerTickMs), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                lock (_gate)
                {
                    OnTimers(NowMs);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void OnTimers(long now)
    {
        var t2 = (long)_options.T2.TotalMilliseconds;
        ForgetAuthFailures(now);
        foreach (var call in _calls.Values)
        {
            if (call.PendingOk is null)
            {
                continue;
            }

            if (now >= call.OkGiveUpAtMs)
            {
                // No ACK within 64*T1 (checked apart from the retransmissions, whose last falls before it):
                // the dialog is confirmed-then-ended with a BYE (13.3.1.4).
                Log.NoAck(_logger, call.CallId);
                call.PendingOk = null;
                SendBye(call, "no ACK to the 200 OK");
                continue;
            }

            if (now < call.NextOkRetransmitMs)
            {
                continue;
            }

            Counters.Retransmissions++;
            _socket!.Send(call.PendingOk, call.OkDestination);
            call.OkIntervalMs = Math.Min(call.OkIntervalMs * 2, t2);
            call.NextOkRetransmitMs = now + call.OkIntervalMs;
        }

        foreach (var (key, transaction) in _serverTransactions.ToList())
        {
            if (transaction.LastStatus >= 300 && !transaction.Acknowledged && now >= transaction.NextRetransmitMs && transaction.LastResponse is { } last)
            {
                Counters.Retransmissions++;
                _socket!.Send(last, ResponseDestination(transaction.Request, transaction.Source));
                transaction.IntervalMs = Math.Min(transaction.IntervalMs * 2, t2);
                transaction.NextRetransmitMs = now + transaction.IntervalMs;
            }

            if (transaction.LastStatus >= 200 && now >= transaction.ExpiresAtMs)
            {
                _serverTransactions.Remove(key);
            }
        }

        foreach (var (branch, transaction) in _clientTransactions.ToList())
        {
            if (now >= transaction.TimeoutAtMs)
            {
                _clientTransactions.Remove(branch);
                transaction.TimeOut();
            }
            else if (now >= transaction.NextRetransmitMs)
            {
                Counters.Retransmissions++;
                _socket!.Send(transaction.Request, transaction.Destination);
                transaction.IntervalMs = transaction.GotProvisional ? t2 : Math.Min(transaction.IntervalMs * 2, t2);
                transaction.NextRetransmitMs = now + transaction.IntervalMs;
            }
        }
    }
}
