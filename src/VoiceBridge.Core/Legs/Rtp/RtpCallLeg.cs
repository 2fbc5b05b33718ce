using Microsoft.Extensions.Logging;
using VoiceBridge.Call;
using VoiceBridge.Media;

namespace VoiceBridge.Legs.Rtp;

/// <summary>
/// The media side of one call carried by RTP, whatever signalled it (SIP, WHIP): RTP in through an
/// adaptive jitter buffer to the call session, and the playout buffer's frames out as RTP paced by this
/// leg's own 20 ms clock, with one SSRC and continuous sequence numbers and timestamps for the whole call
/// (across every engine handoff: the engines never see RTP). It plays the part Twilio's media server
/// plays for a Twilio leg: a small buffer of agent audio it drains in real time, marks reported once the
/// audio before them went out, a clear that drops what it holds. The codec (<see cref="IRtpAudioCodec"/>)
/// and the transport (<see cref="IRtpTransport"/>: plain UDP, or SRTP on an ICE path) are given.
/// </summary>
public sealed partial class RtpCallLeg : ICallerLegOutput
{
    /// <summary>Agent frames the leg holds at most (the playout buffer keeps only a small lead here).</summary>
    private const int OutboundCapacityFrames = 256;

    private readonly string _legName;
    private readonly IRtpTransport _transport;
    private readonly IRtpCallControl _control;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly byte[] _ring = new byte[OutboundCapacityFrames * CallClock.FrameSamples];
    private readonly Queue<(long AfterFrame, PlayoutMark Mark)> _marks = new();
    private readonly List<PlayoutMark> _dueMarks = [];
    private readonly CancellationTokenSource _stop = new();
    private RtpLegMedia _media;
    private CallSession? _session;
    private int _ringHead;
    private int _ringCount;
    private long _framesTaken;
    private long _framesQueued;

    /// <param name="callId">The call's id, in logs.</param>
    /// <param name="legName">The signalling's name in logs (<c>sip</c>, <c>webrtc</c>).</param>
    /// <param name="transport">Where packets go and come from; the leg disposes it when its media ends.</param>
    /// <param name="media">What signalling settled.</param>
    /// <param name="control">The signalling, asked to hang up (agent or RTP timeout) or transfer.</param>
    /// <param name="jitter">The inbound jitter buffer's settings.</param>
    /// <param name="rtpTimeout">No inbound RTP for this long hangs up; zero never does.</param>
    /// <param name="time">The leg's clock.</param>
    /// <param name="logger">Bad packets, timeouts.</param>
    public RtpCallLeg(string callId, string legName, IRtpTransport transport, RtpLegMedia media, IRtpCallControl control, JitterBufferOptions jitter, TimeSpan rtpTimeout, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(media);
        CallId = callId;
        _legName = legName;
        _transport = transport;
        _control = control;
        _media = media;
        _remote = media.Remote;
        _remoteRtcp = new(media.Remote.Address, media.Remote.Port + 1);
        _jitterBuffer = new JitterBuffer(jitter);
        _received = new RtpReceiverStatistics(media.Codec.ClockRate);
        _dtmfOut = new DtmfSender(frameUnits: media.Codec.TimestampUnitsPerFrame);
        _outPayload = new byte[Math.Max(media.Codec.MaxPayloadBytes, CallClock.FrameSamples)];
        _rtpTimeout = rtpTimeout;
        _time = time;
        _logger = logger;
        _ssrc = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
        _sequence = (ushort)Random.Shared.Next(ushort.MaxValue);
        _timestamp = (uint)Random.Shared.NextInt64(uint.MaxValue);
    }

    public string CallId { get; }

    /// <summary>The local RTP port (in the SDP answer).</summary>
    public int RtpPort => _transport.LocalPort;

    /// <summary>The outbound stream's SSRC: one for the whole call.</summary>
    public uint Ssrc => _ssrc;

    /// <summary>Agent frames that could not be queued because the leg's buffer was full (the playout buffer keeps a small lead, so this stays 0).</summary>
    public long OverflowFrames { get; private set; }

    /// <summary>Starts the media loops for <paramref name="session"/>; <see cref="RunAsync"/> returns when the call's media ends.</summary>
    public void Attach(CallSession session) => _session = session;

    /// <summary>Signalling changed the media (hold, unhold, codec, address). The codec's clock must stay the same.</summary>
    public void UpdateMedia(RtpLegMedia media)
    {
        ArgumentNullException.ThrowIfNull(media);
        lock (_gate)
        {
            if (!media.Remote.Equals(_media.Remote))
            {
                _remote = media.Remote;
                _remoteRtcp = new(media.Remote.Address, media.Remote.Port + 1);
                _latched = false;
            }

            // A new offer (a resume after a long hold, say) starts the RTP timeout afresh.
            _lastRtpTicks = _ticks;
            _media = media;
        }
    }

    /// <summary>Stops the media loops (hang-up either way, timeouts).</summary>
    public void Stop()
    {
        if (!_stop.IsCancellationRequested)
        {
            _stop.Cancel();
        }
    }

    public void SendAudio(ReadOnlySpan<byte> frame)
    {
        lock (_gate)
        {
            if (_ringCount == OutboundCapacityFrames)
            {
                OverflowFrames++;
                return;
            }

            var slot = (_ringHead + _ringCount) % OutboundCapacityFrames;
            var dest = _ring.AsSpan(slot * CallClock.FrameSamples, CallClock.FrameSamples);
            frame[..Math.Min(frame.Length, dest.Length)].CopyTo(dest);
            dest[Math.Min(frame.Length, dest.Length)..].Fill(G711.MuLawSilence);
            _ringCount++;
            _framesQueued++;
        }
    }

    /// <summary>RTP has no marks: one is reported played once the audio queued before it has gone out.</summary>
    public void SendMark(PlayoutMark mark)
    {
        lock (_gate)
        {
            _marks.Enqueue((_framesQueued, mark));
        }
    }

    /// <summary>Drops the agent audio not yet sent; marks after it are reported (as Twilio echoes them on clear).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _ringCount = 0;
            _ringHead = 0;
            _framesQueued = _framesTaken;
            while (_marks.TryDequeue(out var mark))
            {
                _dueMarks.Add(mark.Mark);
            }
        }
    }

    /// <summary>A digit signalled out of band (SIP INFO); it reaches the call on the next tick, like an RFC 4733 event.</summary>
    public void OnSignalledDigit(char digit)
    {
        lock (_gate)
        {
            _dtmfDigits++;
            _digits.Add(digit);
        }
    }

    /// <summary>
    /// Sends <paramref name="digits"/> (0-9, *, #, A-D) to the caller as RFC 4733 telephone-events,
    /// 100 ms each with 60 ms between them; agent audio waits meanwhile. False when the caller did
    /// not offer telephone-event (nothing is sent) or a digit is not a DTMF key.
    /// </summary>
    public bool SendDtmf(string digits)
    {
        lock (_gate)
        {
            if (_media.TelephoneEventType is null || digits.Length == 0 || !digits.All(d => Dtmf4733.TryGetCode(d, out _)))
            {
                return false;
            }

            foreach (var digit in digits)
            {
                _digitsToSend.Enqueue(char.ToUpperInvariant(digit));
            }

            return true;
        }
    }

    public void HangUp() => _control.HangUp("call ended by VoiceBridge");

    public Task TransferAsync(string target, CancellationToken cancellationToken) => _control.TransferAsync(target, cancellationToken);

    /// <summary>Runs the media loops until the call ends; completes with the leg's figures.</summary>
    public async Task<RtpMediaFigures> RunAsync()
    {
        var receive = _transport.ReceiveAsync(OnRtp, OnRtcp, _stop.Token);
        try
        {
            await PaceAsync(_stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await _transport.DisposeAsync();
        await receive;
        return Figures();
    }

    /// <summary>Takes the next agent frame (or nothing) and the marks now played; under the gate.</summary>
    private bool TakeFrame(Span<byte> frame)
    {
        var took = false;
        if (_ringCount > 0)
        {
            _ring.AsSpan(_ringHead * CallClock.FrameSamples, CallClock.FrameSamples).CopyTo(frame);
            _ringHead = (_ringHead + 1) % OutboundCapacityFrames;
            _ringCount--;
            _framesTaken++;
            took = true;
        }

        while (_marks.TryPeek(out var mark) && mark.AfterFrame <= _framesTaken)
        {
            _dueMarks.Add(_marks.Dequeue().Mark);
        }

        return took;
    }
}
