using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using VoiceBridge.Legs.Sip;
using VoiceBridge.Transport;

namespace VoiceBridge.Load;

/// <summary>
/// The load generator's SIP user agent client, one UDP socket for every SIP load call of a run (as
/// sipp uses one). Requests are retransmitted per RFC 3261 17.1 (T1 doubling up to T2; an INVITE stops
/// once a provisional response came) until a final response or 64*T1; responses are matched to their
/// request by Call-ID and CSeq. A failed INVITE's final response is acknowledged, and a retransmitted
/// 2xx to an INVITE acknowledged again. The bridge's requests are answered (BYE with 200, which ends
/// that load call's media, or 481 for a call it does not know; OPTIONS with 200; others 501).
/// </summary>
internal sealed partial class SipLoadSignalling : IAsyncDisposable
{
    private static readonly TimeSpan T1 = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan T2 = TimeSpan.FromSeconds(4);

    /// <summary>
    /// How long a request waits for its final response: 64*T1 (Timer B and F). A load call gives up
    /// then even on an INVITE that had a provisional response (the RFC leaves that to the caller).
    /// </summary>
    private static readonly TimeSpan RequestTimeout = 64 * T1;

    private readonly IDatagramSocket _socket;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<(string CallId, long CSeq), Pending> _pending = new();
    private readonly ConcurrentDictionary<string, SipLoadCall> _calls = new();
    private readonly Task _receive;

    public SipLoadSignalling(IDatagramNetwork network, SipLoadTarget target, TimeProvider time, ILogger logger)
    {
        Target = target;
        _time = time;
        _logger = logger;
        try
        {
            _socket = network.Bind(new IPEndPoint(LocalAddressFor(target.Bridge), 0));
        }
        catch (SocketException e)
        {
            throw new IOException($"no SIP socket toward {target.Bridge}: {e.Message}", e);
        }

        _receive = _socket.ReceiveAsync(OnDatagram, _stop.Token);
    }

    public SipLoadTarget Target { get; }

    /// <summary>The clock retransmissions and retries wait on.</summary>
    public TimeProvider Time => _time;

    /// <summary>Where the load calls' SIP is sent from (their Via and Contact).</summary>
    public IPEndPoint Local => _socket.LocalEndPoint;

    public void Register(string callId, SipLoadCall call) => _calls[callId] = call;

    public void Unregister(string callId) => _calls.TryRemove(callId, out _);

    /// <summary>Sends a message that expects no response (an ACK).</summary>
    public void Send(byte[] message) => _socket.Send(message, Target.Bridge);

    /// <summary>
    /// Sends <paramref name="request"/> and retransmits it until its final response, which is returned;
    /// throws <see cref="TimeoutException"/> when none came within 64*T1.
    /// </summary>
    public async Task<SipMessage> RequestAsync(SipMessage request, CancellationToken cancellationToken)
    {
        var key = (request.CallId, request.CSeq.Number);
        var pending = new Pending();
        _pending[key] = pending;
        try
        {
            var bytes = request.ToBytes();
            var invite = request.Method == "INVITE";
            var interval = T1;
            var left = RequestTimeout;
            while (true)
            {
                if (!(invite && pending.Provisional))
                {
                    _socket.Send(bytes, Target.Bridge);
                }

                var wait = interval < left ? interval : left;
                var delay = Task.Delay(wait, _time, cancellationToken);
                if (await Task.WhenAny(pending.Final.Task, delay) == pending.Final.Task)
                {
                    return await pending.Final.Task;
                }

                await delay;
                left -= wait;
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException($"no final response to {request.Method} within {RequestTimeout.TotalSeconds} s");
                }

                interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, T2.Ticks));
            }
        }
        finally
        {
            _pending.TryRemove(key, out _);
        }
    }

    /// <summary>The address this machine reaches <paramref name="bridge"/> from (the route's source; a UDP connect sends nothing).</summary>
    private static IPAddress LocalAddressFor(IPEndPoint bridge)
    {
        if (IPAddress.IsLoopback(bridge.Address))
        {
            return bridge.Address;
        }

        using var probe = new Socket(bridge.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        probe.Connect(bridge);
        return ((IPEndPoint)probe.LocalEndPoint!).Address;
    }

    private void OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        var parsed = SipParser.Parse(datagram);
        if (parsed.IsKeepAlive)
        {
            return;
        }

        if (parsed.Message is not { } message)
        {
            Log.Malformed(_logger, from.ToString(), parsed.Error ?? "unparsable");
            return;
        }

        try
        {
            if (message.IsRequest)
            {
                OnRequest(message, from);
            }
            else
            {
                OnResponse(message);
            }
        }
        catch (FormatException e)
        {
            Log.Malformed(_logger, from.ToString(), e.Message);
        }
    }

    private void OnResponse(SipMessage response)
    {
        if (response.StatusCode >= 300 && response.CSeq.Method == "INVITE")
        {
            // 17.1.1.3: every non-2xx final response to an INVITE, and each retransmission of it, is acknowledged.
            AcknowledgeFailure(response);
        }

        if (_pending.TryGetValue((response.CallId, response.CSeq.Number), out var pending))
        {
            if (response.StatusCode < 200)
            {
                pending.Provisional = true;
            }
            else
            {
                pending.Final.TrySetResult(response);
            }
        }
        else if (response.StatusCode is >= 200 and < 300 && response.CSeq.Method == "INVITE" && _calls.TryGetValue(response.CallId, out var call))
        {
            call.ResendAck();
        }
    }

    /// <summary>The ACK of a failed INVITE: the INVITE's Request-URI and Via (so its branch), the response's To, CSeq method ACK.</summary>
    private void AcknowledgeFailure(SipMessage response)
    {
        var ack = SipMessage.Request("ACK", Target.RequestUri);
        ack.Headers.Add(SipHeaderNames.Via, response.Headers.GetAll(SipHeaderNames.Via)[0]);
        ack.Headers.Add(SipHeaderNames.MaxForwards, "70");
        ack.Headers.Add(SipHeaderNames.From, response.Headers.Get(SipHeaderNames.From)!);
        ack.Headers.Add(SipHeaderNames.To, response.Headers.Get(SipHeaderNames.To)!);
        ack.Headers.Add(SipHeaderNames.CallId, response.CallId);
        ack.Headers.Add(SipHeaderNames.CSeq, $"{response.CSeq.Number.ToString(System.Globalization.CultureInfo.InvariantCulture)} ACK");
        _socket.Send(ack.ToBytes(), Target.Bridge);
    }

    private void OnRequest(SipMessage request, IPEndPoint from)
    {
        if (request.Method == "ACK")
        {
            return;
        }

        _calls.TryGetValue(request.CallId, out var call);
        var (code, reason) = request.Method switch
        {
            "BYE" when call is null => (481, "Call/Transaction Does Not Exist"),
            "BYE" or "OPTIONS" => (200, "OK"),
            _ => (501, "Not Implemented"),
        };
        _socket.Send(request.CreateResponse(code, reason).ToBytes(), from);
        if (request.Method == "BYE")
        {
            call?.HungUpByBridge();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _socket.DisposeAsync();
        try
        {
            await _receive;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private sealed class Pending
    {
        /// <summary>
        /// The final response. Its waiter goes on inline, on the receive loop (it only sends an ACK or
        /// returns), so that on a fake clock it runs before time moves on.
        /// </summary>
        public TaskCompletionSource<SipMessage> Final { get; } = new();

        private volatile bool _provisional;

        /// <summary>A provisional response came: an INVITE is no longer retransmitted.</summary>
        public bool Provisional
        {
            get => _provisional;
            set => _provisional = value;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "load: SIP message from {From} dropped: {Error}")]
        public static partial void Malformed(ILogger logger, string from, string error);
    }
}
