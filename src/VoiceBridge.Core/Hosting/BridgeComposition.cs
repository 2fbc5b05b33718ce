using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using VoiceBridge.Call;
using VoiceBridge.Call.Tools;
using VoiceBridge.Legs;
using VoiceBridge.Legs.Sip;
using VoiceBridge.Legs.Twilio;
using VoiceBridge.Legs.WebRtc;
using VoiceBridge.Transport;

namespace VoiceBridge.Hosting;

/// <summary>
/// How a node builds its calls: the engine that answers (the chain's first, until failover picks
/// among them), the tools, the call options and the clock. The same composition serves Kestrel
/// (real sockets, system time) and the in-memory network (virtual time), so both run the very
/// same call path.
/// </summary>
public sealed class BridgeComposition(
    EngineFactory engines,
    CallSessionOptions sessionOptions,
    TimeProvider time,
    ILoggerFactory loggers)
{
    public CallRegistry Registry { get; } = new();

    public TwilioCounters TwilioCounters { get; } = new();

    /// <summary>The deployment's tools and the built-in <c>hangup</c> and <c>transfer</c>.</summary>
    public ToolRegistry Tools { get; } = ToolRegistry.WithBuiltIns(new CheckAvailabilityTool());

    /// <summary>How Twilio legs move a live call (a transfer) [none: a transfer fails and the call is hung up].</summary>
    public ITwilioCallUpdater? TwilioCalls { get; set; }

    /// <summary>How a Twilio call outlives its stream: checkpoints and <c>/twilio/resume</c> (docs/scale-out.md) [none: a lost stream ends the call].</summary>
    public ITwilioCallContinuity? TwilioContinuity { get; set; }

    public TimeProvider Time => time;

    public EngineFactory Engines => engines;

    /// <summary>Admission of new calls on every leg of the node (docs/security.md) [none].</summary>
    public Security.CallLimits Limits { get; init; } = Security.CallLimits.Unlimited;

    /// <summary>
    /// Messages a second a Twilio media socket may send before it is closed 1008 [0: no limit]. The
    /// burst is <see cref="TwilioBurstSeconds"/> of that rate: after a network stall Twilio delivers
    /// the backlog at once (50 media messages and the mark echoes of every second of it), and that is
    /// a live call, not a flood.
    /// </summary>
    public double TwilioMessagesPerSecond { get; init; }

    /// <summary>Seconds of <see cref="TwilioMessagesPerSecond"/> a Twilio media socket may send at once.</summary>
    public const int TwilioBurstSeconds = 20;

    /// <summary>Told of each new call before it runs (drills arm a share of new calls here); none by default.</summary>
    public Action<CallSession, string>? CallCreated { get; set; }

    public CallSession CreateSession(string callId, string leg, ICallerLegOutput output)
    {
        var session = new CallSession(callId, leg, output, engines.ForCall(callId), Tools, sessionOptions, time, loggers.CreateLogger<CallSession>());
        CallCreated?.Invoke(session, leg);
        return session;
    }

    /// <summary>A SIP user agent server whose calls run on this node's call path (not started).</summary>
    public SipEndpoint CreateSipEndpoint(SipOptions options, IDatagramNetwork network) =>
        new(options, network, (callId, output) => CreateSession(callId, "sip", output), Registry, time, loggers) { Limits = Limits };

    /// <summary>The browser leg's WHIP sessions, whose calls run on this node's call path; <paramref name="certificate"/> is the node's one DTLS certificate.</summary>
    public WebRtcSessions CreateWebRtcSessions(WebRtcOptions options, IDatagramNetwork network, DtlsCertificate certificate) =>
        new(options, network, certificate, (callId, output) => CreateSession(callId, "webrtc", output), Registry, time, loggers);

    /// <summary>Serves one Twilio Media Streams WebSocket until it ends; with <paramref name="issuer"/>, only a stream showing its call's token starts the call.</summary>
    public async Task HandleTwilioMediaAsync(WebSocket socket, WebSocketRequest request, TwilioSignatureVerifier? issuer)
    {
        var leg = new TwilioMediaLeg(
            new MessageSocket(socket, 1024, TwilioMediaLeg.MaxMessageBytes)
            {
                CloseOnOversize = true,
                ReceiveRate = TwilioMessagesPerSecond > 0 ? new Security.TokenBucket(TwilioMessagesPerSecond, (int)(TwilioBurstSeconds * TwilioMessagesPerSecond), time) : null,
            },
            (callId, output) => CreateSession(callId, "twilio", output),
            Registry,
            TwilioCounters,
            loggers.CreateLogger<TwilioMediaLeg>(),
            TwilioCalls,
            TwilioContinuity)
        {
            Time = time,
            Issuer = issuer is { IsEnabled: true } ? issuer : null,
        };
        await leg.RunAsync(CancellationToken.None);
    }
}
