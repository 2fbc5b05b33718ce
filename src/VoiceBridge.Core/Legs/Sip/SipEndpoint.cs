using System.Net;
using Microsoft.Extensions.Logging;
using VoiceBridge.Call;
using VoiceBridge.Legs.Rtp;
using VoiceBridge.Operations;
using VoiceBridge.Transport;

namespace VoiceBridge.Legs.Sip;

/// <summary>
/// SIP over UDP as a user agent server (RFC 3261): takes calls to any request URI and runs each on
/// the node's call path with a <see cref="SipCallLeg"/> for its RTP. Transactions are matched by
/// the top Via's branch and sent-by, dialogs by Call-ID and tags; responses go back per 18.2.2
/// and RFC 3581 (<c>rport</c>: to the source address and port). Requests we do not take are
/// answered (405 / 501 / 481 / 400), never ignored. One lock guards the signalling state: SIP's
/// message rate is tiny next to RTP's, which runs outside it.
/// </summary>
public sealed partial class SipEndpoint : IAsyncDisposable
{
    public const string UserAgent = "VoiceBridge";
    public const string Allow = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, NOTIFY";
    private const int TimerTickMs = 50;
    private const int MaxReasonLength = 120;

    private static readonly HashSet<string> KnownMethods = new(StringComparer.Ordinal)
    {
        "REGISTER", "SUBSCRIBE", "PUBLISH", "MESSAGE", "PRACK", "UPDATE", "REFER",
    };

    private readonly SipOptions _options;
    private readonly IDatagramNetwork _network;
    private readonly Func<string, ICallerLegOutput, CallSession> _sessionFactory;
    private readonly CallRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggers;
    private readonly JitterBufferOptions _jitter;
    private readonly object _gate = new();
    private readonly Dictionary<string, SipServerTransaction> _serverTransactions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SipClientTransaction> _clientTransactions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SipCall> _calls = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly long _start;
    private IDatagramSocket? _socket;
    private RtpPortPool? _ports;
    private Task? _receive;
    private Task? _timers;

    public SipEndpoint(
        SipOptions options,
        IDatagramNetwork network,
        Func<string, ICallerLegOutput, CallSession> sessionFactory,
        CallRegistry registry,
        TimeProvider time,
        ILoggerFactory loggers,
        JitterBufferOptions? jitter = null)
    {
        _options = options;
        _network = network;
        _sessionFactory = sessionFactory;
        _registry = registry;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<SipEndpoint>();
        _jitter = jitter ?? new JitterBufferOptions();
        _start = time.GetTimestamp();
    }

    /// <summary>Where SIP is bound (the real port when 0 was configured).</summary>
    public IPEndPoint LocalEndPoint => _socket?.LocalEndPoint ?? throw new InvalidOperationException("the SIP endpoint is not started");

    public SipCounters Counters { get; } = new();

    /// <summary>Calls in progress (answered, not yet ended).</summary>
    public int ActiveCalls
    {
        get
        {
            lock (_gate)
            {
                return _calls.Count;
            }
        }
    }

    /// <summary>Server transactions remembered for retransmissions (each is forgotten 64*T1 after its final response).</summary>
    public int ServerTransactions
    {
        get
        {
            lock (_gate)
            {
                return _serverTransactions.Count;
            }
        }
    }

    /// <summary>Binds the SIP socket and starts receiving, the transaction timers and the trunk registration.</summary>
    public void Start()
    {
        _socket = _network.Bind(_options.Listen);
        _ports = new RtpPortPool(_network, _options.Listen.Address, _options.RtpPortMin, _options.RtpPortMax);
        _receive = _socket.ReceiveAsync(OnDatagram, _stop.Token);
        _timers = RunTimersAsync(_stop.Token);
        _digest = _options.Digest is { } digest ? new SipDigestServer(digest, _time) : null;
        Log.Listening(_logger, _socket.LocalEndPoint.ToString(), _options.PublicAddress.ToString(), _options.RtpPortMin, _options.RtpPortMax);
        StartRegistration();
    }

    /// <summary>Ends every call with a BYE, removes the trunk registration, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        List<SipCall> calls;
        lock (_gate)
        {
            calls = [.. _calls.Values];
        }

        foreach (var call in calls)
        {
            SendBye(call, "server stopping");
        }

        foreach (var call in calls)
        {
            if (call.Run is { } run)
            {
                await run;
            }
        }

        await StopRegistrationAsync();
        _stop.Cancel();
        if (_socket is not null)
        {
            await _socket.DisposeAsync();
        }

        if (_receive is not null)
        {
            await _receive;
        }

        if (_timers is not null)
        {
            await _timers;
        }
    }

    private long NowMs => (long)_time.GetElapsedTime(_start).TotalMilliseconds;

    private long T1Ms => (long)_options.T1.TotalMilliseconds;

    private void OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        var parsed = SipParser.Parse(datagram);
        lock (_gate)
        {
            Counters.Received++;
            if (parsed.Message is { } message)
            {
                if (message.IsRequest)
                {
                    OnRequest(message, from);
                }
                else
                {
                    OnResponse(message);
                }

                return;
            }

            if (parsed.Error is null)
            {
                // A CRLF keep-alive (RFC 5626 4.4.1).
                return;
            }

            Counters.Malformed++;
            Log.Malformed(_logger, from.ToString(), parsed.Error);
            if (parsed.Answerable is { } answerable && IsAllowedSource(from))
            {
                // 505 for a SIP version we do not speak, else 400; the reason names the problem.
                var status = parsed.SuggestedStatusCode is 505 ? 505 : 400;
                var reason = (status == 505 ? "Version Not Supported: " : "Bad Request: ") + parsed.Error;
                StampVia(answerable, from);
                SendResponse(answerable, from, status, reason.Length > MaxReasonLength ? reason[..MaxReasonLength] : reason);
            }
        }
    }

    private void OnRequest(SipMessage request, IPEndPoint from)
    {
        StampVia(request, from);
        var key = TransactionKey(request);
        if (request.Method != "ACK" && _serverTransactions.TryGetValue(key, out var known))
        {
            // A retransmission (RFC 3261 17.2.1 / 17.2.2): the last response again, nothing processed twice.
            Counters.Retransmissions++;
            if (known.LastResponse is { } last)
            {
                _socket!.Send(last, ResponseDestination(known.Request, known.Source));
            }

            return;
        }

        if (!WithinRate(request, from))
        {
            return;
        }

        if (!IsAllowedSource(from))
        {
            Counters.Refused++;
            Rejections.Count(Rejections.SipSource);
            Log.SourceRefused(_logger, request.Method, from.ToString());
            if (request.Method != "ACK")
            {
                SendResponse(request, from, 403, "Forbidden");
            }

            return;
        }

        if (request.Method == "ACK")
        {
            OnAck(request);
            return;
        }

        var transaction = new SipServerTransaction(key, request, from, NowMs + (64 * T1Ms));
        _serverTransactions[key] = transaction;
        if (request.MaxForwards == 0 && request.Method != "OPTIONS")
        {
            Respond(transaction, 483, "Too Many Hops");
            return;
        }

        if (!IsSupportedScheme(request.RequestUri))
        {
            Respond(transaction, 416, "Unsupported URI Scheme");
            return;
        }

        if (request.Headers.Get("Require") is { Length: > 0 } require)
        {
            // We support no extensions that a request could require (RFC 3261 8.2.2.3).
            var response = CreateResponse(request, 420, "Bad Extension");
            response.Headers.Set("Unsupported", require);
            Send(transaction, response);
            return;
        }

        if (!Authorize(transaction))
        {
            return;
        }

        switch (request.Method)
        {
            case "INVITE":
                OnInvite(transaction);
                break;
            case "CANCEL":
                OnCancel(transaction);
                break;
            case "BYE":
                OnBye(transaction);
                break;
            case "OPTIONS":
                var ok = CreateResponse(request, 200, "OK");
                ok.Headers.Set("Accept", SipBody.Accepted);
                Send(transaction, ok);
                break;
            case "INFO":
                OnInfo(transaction);
                break;
            case "NOTIFY":
                Respond(transaction, FindCall(request) is null ? 481 : 200, FindCall(request) is null ? "Call/Transaction Does Not Exist" : "OK");
                break;
            default:
                Respond(transaction, KnownMethods.Contains(request.Method) ? 405 : 501, KnownMethods.Contains(request.Method) ? "Method Not Allowed" : "Not Implemented");
                break;
        }
    }

    private void OnResponse(SipMessage response)
    {
        if (response.Vias.Count == 0 || response.TopVia.Branch is not { } branch || !_clientTransactions.TryGetValue(branch, out var transaction))
        {
            // A 2xx to an INVITE we never sent, or a stray: responses are not answered.
            Counters.StrayResponses++;
            return;
        }

        if (response.StatusCode < 200)
        {
            transaction.GotProvisional = true;
            return;
        }

        _clientTransactions.Remove(branch);
        transaction.Complete(response);
    }

    /// <summary>Sends a response built for a server transaction and remembers it for retransmissions.</summary>
    private void Respond(SipServerTransaction transaction, int status, string reason, string? toTag = null) =>
        Send(transaction, CreateResponse(transaction.Request, status, reason, toTag));

    private void Send(SipServerTransaction transaction, SipMessage response)
    {
        var bytes = response.ToBytes();
        transaction.LastResponse = bytes;
        transaction.LastStatus = response.StatusCode;
        if (response.StatusCode >= 300 && transaction.Request.Method == "INVITE")
        {
            transaction.IntervalMs = T1Ms;
            transaction.NextRetransmitMs = NowMs + T1Ms;
        }

        if (response.StatusCode >= 200)
        {
            transaction.ExpiresAtMs = NowMs + (64 * T1Ms);
        }

        Counters.Sent++;
        _socket!.Send(bytes, ResponseDestination(transaction.Request, transaction.Source));
    }

    private void SendResponse(SipMessage request, IPEndPoint source, int status, string reason)
    {
        Counters.Sent++;
        _socket!.Send(CreateResponse(request, status, reason).ToBytes(), ResponseDestination(request, source));
    }
}
