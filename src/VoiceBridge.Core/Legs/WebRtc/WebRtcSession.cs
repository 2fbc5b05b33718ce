using System.Net;
using Microsoft.Extensions.Logging;
using VoiceBridge.Call;
using VoiceBridge.Legs.Rtp;
using VoiceBridge.Transport;

namespace VoiceBridge.Legs.WebRtc;

/// <summary>
/// One browser call on its own UDP socket. One receive loop sorts every datagram by its first byte
/// (RFC 7983): STUN to the ICE-lite agent (answered to where it came from), DTLS to the DTLS server
/// (from addresses that passed an authenticated check only), SRTP and SRTCP unprotected with the
/// client's keys into the <see cref="RtpCallLeg"/>. The leg's packets go out protected with the
/// server's keys to the ICE-selected address. A one-second watchdog on the injected clock ends the
/// session when set-up stalls, consent expires (RFC 7675) or the browser closed DTLS.
/// </summary>
public sealed partial class WebRtcSession : IRtpCallControl
{
    private const int MaxValidatedAddresses = 8;

    private readonly WebRtcOffer _offer;
    private readonly WebRtcAnswer _answer;
    private readonly IDatagramSocket _socket;
    private readonly IceLiteAgent _agent;
    private readonly DtlsSrtpServer _dtls;
    private readonly WebRtcOptions _options;
    private readonly Func<string, ICallerLegOutput, CallSession> _sessionFactory;
    private readonly CallRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly byte[] _stunResponse = new byte[IceLiteAgent.MinResponseBuffer];
    private readonly List<IPEndPoint> _validated = [];
    private readonly long _created;
    private WebRtcRtpTransport? _transport;
    private RtpCallLeg? _leg;
    private string? _endReason;
    private IPEndPoint? _dtlsPeer;
    private long _droppedDatagrams;

    internal WebRtcSession(
        string id,
        WebRtcOffer offer,
        WebRtcAnswer answer,
        IDatagramSocket socket,
        string ufrag,
        string password,
        DtlsCertificate certificate,
        WebRtcOptions options,
        Func<string, ICallerLegOutput, CallSession> sessionFactory,
        CallRegistry registry,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        Id = id;
        _offer = offer;
        _answer = answer;
        _socket = socket;
        _options = options;
        _sessionFactory = sessionFactory;
        _registry = registry;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<WebRtcSession>();
        _agent = new IceLiteAgent(ufrag, password, offer.IceUfrag, offer.IcePwd, time, new IceLiteOptions { ConsentTimeout = options.ConsentTimeout }, _logger);
        _dtls = new DtlsSrtpServer(certificate, SendDtls, options.SetupTimeout, offer.Fingerprint, _logger);
        _created = time.GetTimestamp();
    }

    /// <summary>The WHIP resource id, also the call id.</summary>
    public string Id { get; }

    /// <summary>The local UDP port (the answer's candidate).</summary>
    public int Port => _socket.LocalEndPoint.Port;

    /// <summary>The negotiated codec.</summary>
    public WebRtcAudioCodec Codec => _answer.Codec;

    /// <summary>The ICE agent's figures.</summary>
    public IceCounters Ice => _agent.Counters;

    /// <summary>The call's leg, once DTLS completed.</summary>
    public RtpCallLeg? Leg => _leg;

    /// <summary>Datagrams dropped by the session: unknown first byte, DTLS from an unchecked address, SRTP before keys or failing authentication.</summary>
    public long DroppedDatagrams => Interlocked.Read(ref _droppedDatagrams);

    /// <summary>Why the session ended; null while it runs.</summary>
    public string? EndReason => _endReason;

    /// <summary>Completes when the session is over and its socket closed. Never faults.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Ends the session (WHIP DELETE, shutdown, a timeout); the first reason is kept.</summary>
    public void End(string reason)
    {
        if (Interlocked.CompareExchange(ref _endReason, reason, null) is not null)
        {
            return;
        }

        Log.Ending(_logger, Id, reason);
        _stop.Cancel();
        _leg?.Stop();
    }

    void IRtpCallControl.HangUp(string reason) => End(reason);

    Task IRtpCallControl.TransferAsync(string target, CancellationToken cancellationToken) =>
        Task.FromException(new InvalidOperationException("a browser call cannot be transferred: WHIP has no way to move it"));

    /// <summary>Starts the receive loop, the handshake and the watchdog; <paramref name="onCompleted"/> runs when all are over.</summary>
    internal void Start(Action onCompleted) => _ = RunAsync(onCompleted);

    private async Task RunAsync(Action onCompleted)
    {
        Task receive = _socket.ReceiveAsync(OnDatagram, _stop.Token);
        Task watchdog = WatchAsync();
        try
        {
            DtlsSrtpKeys keys = await _dtls.HandshakeAsync(_stop.Token);
            await RunCallAsync(keys);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (e is DtlsHandshakeException or ObjectDisposedException)
        {
            End($"DTLS: {e.Message}");
        }
        finally
        {
            End(_endReason ?? "ended");
            _dtls.Dispose();
            await _dtls.Closed.WaitAsync(TimeSpan.FromSeconds(1), _time).ContinueWith(static _ => { }, TaskScheduler.Default);
            await _socket.DisposeAsync();
            await receive.ContinueWith(static _ => { }, TaskScheduler.Default);
            await watchdog;
            _transport?.Dispose();
            onCompleted();
            Log.Ended(_logger, Id, _endReason ?? "ended", _agent.Counters.Answered, DroppedDatagrams);
            _completion.TrySetResult();
        }
    }

    private async Task RunCallAsync(DtlsSrtpKeys keys)
    {
        _transport = new WebRtcRtpTransport(_socket, keys, () => _agent.ConsentExpired ? null : _agent.Selected ?? _dtlsPeer);
        IPEndPoint remote = _agent.Selected ?? _dtlsPeer ?? new IPEndPoint(IPAddress.Loopback, 9);
        var media = new RtpLegMedia(
            remote,
            _answer.Codec == WebRtcAudioCodec.Opus ? new OpusRtpCodec(new OpusAudio()) : G711RtpCodec.Pcmu,
            (byte)_answer.PayloadType,
            (byte?)_answer.TelephoneEventPayloadType,
            _answer.Direction is Sip.Sdp.SdpDirection.SendRecv or Sip.Sdp.SdpDirection.SendOnly,
            _answer.Direction is Sip.Sdp.SdpDirection.SendRecv or Sip.Sdp.SdpDirection.RecvOnly);
        var leg = new RtpCallLeg(Id, "webrtc", _transport, media, this, _options.Jitter, _options.RtpTimeout, _time, _loggers.CreateLogger<RtpCallLeg>());
        CallSession session = _sessionFactory(Id, leg);
        leg.Attach(session);
        _leg = leg;
        if (_stop.IsCancellationRequested)
        {
            leg.Stop();
        }

        _registry.Started(session);
        Log.CallStarted(_logger, Id, remote.ToString(), _answer.Codec.ToString());
        Task<CallSummary> sessionRun = session.RunAsync(CancellationToken.None);
        RtpMediaFigures figures = await leg.RunAsync();
        await session.OnHangupAsync(_endReason ?? "media ended");
        CallSummary summary = await sessionRun;
        _registry.Ended(session, summary with { Media = figures });
        Log.CallEnded(_logger, Id, figures.PacketsReceived, figures.PacketsSent, figures.ConcealedMs, _transport.Unprotected, _transport.RejectedPackets);
    }

    /// <summary>Once a second: a set-up that has not reached a call in time, expired consent, a DTLS close from the browser.</summary>
    private async Task WatchAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                if (_leg is null && _time.GetElapsedTime(_created) >= _options.SetupTimeout)
                {
                    End(_agent.Selected is null
                        ? $"no ICE nomination within {_options.SetupTimeout.TotalSeconds:0} s"
                        : $"no DTLS handshake within {_options.SetupTimeout.TotalSeconds:0} s");
                }
                else if (_agent.ConsentExpired)
                {
                    End($"ICE consent expired: no check from the browser for {_options.ConsentTimeout.TotalSeconds:0} s");
                }
                else if (_dtls.RemoteClosed)
                {
                    End("the browser closed DTLS");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
