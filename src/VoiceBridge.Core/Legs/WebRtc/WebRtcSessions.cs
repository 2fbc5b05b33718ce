using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using VoiceBridge.Call;
using VoiceBridge.Transport;

namespace VoiceBridge.Legs.WebRtc;

/// <summary>
/// The browser leg's sessions behind the WHIP endpoint: per offer one UDP socket (STUN, DTLS and SRTP
/// bundled on it), fresh ICE-lite credentials, a DTLS server with the node's certificate, and the
/// answer. The call (a <see cref="CallSession"/> over an <see cref="Rtp.RtpCallLeg"/>) starts once the
/// DTLS handshake gives the SRTP keys, and ends on WHIP DELETE, the browser's close_notify, expired ICE
/// consent, silence on RTP, or a set-up that never completes (see <see cref="WebRtcSession"/>).
/// </summary>
public sealed partial class WebRtcSessions : IWhipSessions, IAsyncDisposable
{
    private readonly WebRtcOptions _options;
    private readonly IDatagramNetwork _network;
    private readonly DtlsCertificate _certificate;
    private readonly Func<string, ICallerLegOutput, CallSession> _sessionFactory;
    private readonly CallRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, WebRtcSession> _sessions = new(StringComparer.Ordinal);

    /// <param name="options">Sockets, addresses, timeouts; validated here.</param>
    /// <param name="network">Where the sessions' UDP sockets come from.</param>
    /// <param name="certificate">The node's DTLS certificate (one per process), whose fingerprint every answer carries.</param>
    /// <param name="sessionFactory">Builds a call session for a call id and its leg (the node's composition).</param>
    /// <param name="registry">Where calls are announced when they start and end.</param>
    /// <param name="time">Set-up and consent timeouts, the leg's clock.</param>
    /// <param name="loggers">Per-session logs.</param>
    public WebRtcSessions(
        WebRtcOptions options,
        IDatagramNetwork network,
        DtlsCertificate certificate,
        Func<string, ICallerLegOutput, CallSession> sessionFactory,
        CallRegistry registry,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        IReadOnlyList<string> errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid WebRTC options: " + string.Join("; ", errors), nameof(options));
        }

        _options = options;
        _network = network;
        _certificate = certificate;
        _sessionFactory = sessionFactory;
        _registry = registry;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<WebRtcSessions>();
    }

    /// <summary>Sessions under way (answered, in set-up or in a call).</summary>
    public int Count => _sessions.Count;

    /// <summary>The session <paramref name="id"/>, if it is still under way (tests and diagnostics).</summary>
    public WebRtcSession? Find(string id) => _sessions.GetValueOrDefault(id);

    public Task<WhipSessionResult> CreateAsync(WebRtcOffer offer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(offer);
        if (_sessions.Count >= _options.MaxSessions)
        {
            throw new WhipUnavailableException($"the bridge already has {_options.MaxSessions} browser sessions");
        }

        IDatagramSocket socket = Bind();
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        (string ufrag, string password) = IceLiteAgent.NewCredentials();
        var parameters = new WebRtcAnswerParameters(ufrag, password, _certificate.Sha256Fingerprint, _options.PublicAddress, socket.LocalEndPoint.Port)
        {
            Preference = _options.Codec,
        };
        WebRtcAnswer answer = WebRtcAnswerBuilder.Build(offer, parameters);
        var session = new WebRtcSession(id, offer, answer, socket, ufrag, password, _certificate, _options, _sessionFactory, _registry, _time, _loggers);
        _sessions[id] = session;
        session.Start(() => _sessions.TryRemove(id, out _));
        Log.Created(_logger, id, socket.LocalEndPoint.Port, answer.Codec.ToString());
        return Task.FromResult(new WhipSessionResult(id, answer.Sdp) { Completion = session.Completion });
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken ct)
    {
        if (!_sessions.TryGetValue(id, out WebRtcSession? session))
        {
            return false;
        }

        session.End("WHIP DELETE");
        await session.Completion.WaitAsync(ct);
        return true;
    }

    /// <summary>Ends every session and waits for them.</summary>
    public async ValueTask DisposeAsync()
    {
        WebRtcSession[] sessions = [.. _sessions.Values];
        foreach (WebRtcSession session in sessions)
        {
            session.End("shutting down");
        }

        await Task.WhenAll(sessions.Select(s => s.Completion));
    }

    private IDatagramSocket Bind()
    {
        if (_options.PortMin == 0)
        {
            return _network.Bind(new IPEndPoint(_options.BindAddress, 0));
        }

        int span = _options.PortMax - _options.PortMin + 1;
        int start = Random.Shared.Next(span);
        for (int i = 0; i < Math.Min(span, 64); i++)
        {
            int port = _options.PortMin + ((start + i) % span);
            try
            {
                return _network.Bind(new IPEndPoint(_options.BindAddress, port));
            }
            catch (SocketException)
            {
            }
        }

        throw new WhipUnavailableException($"no free UDP port in {_options.PortMin}-{_options.PortMax}");
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "webrtc session {Id}: answered on UDP port {Port} with {Codec}")]
        public static partial void Created(ILogger logger, string id, int port, string codec);
    }
}

/// <summary>The leg cannot take another session now (too many, or no free port): the WHIP endpoint answers 503.</summary>
public sealed class WhipUnavailableException(string message) : Exception(message);
