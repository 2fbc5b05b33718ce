using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using VoiceBridge.Legs.Rtp;
using VoiceBridge.Legs.Sip;
using VoiceBridge.Legs.Sip.Sdp;
using VoiceBridge.Media;
using VoiceBridge.Transport;

namespace VoiceBridge.Load;

/// <summary>
/// One lean load call acting as a SIP phone: an INVITE offering PCMU from its own RTP port, the ACK,
/// then one tagged 20 ms RTP packet whenever the shared clock ticks (<see cref="LoadTurns"/> decides
/// what the caller says), and a BYE at the end. The bridge's RTP is agent audio when it is not all
/// mu-law silence (the bridge sends silence between replies, so the stream never pauses); a packet is
/// late when it arrives more than a frame after its timestamp says, against the call's fastest packet
/// of the last 2-3 s (a receiver's jitter buffer adapts to a lasting shift, such as the one a stall of
/// the bridge's clock leaves, within seconds: only the packets around the shift are late).
/// </summary>
internal sealed class SipLoadCall(int index, LoadTurns turns, LoadMeasurements measure, SipLoadSignalling sip, IDatagramNetwork network) : ILoadCall
{
    /// <summary>PCMU (RFC 3551).</summary>
    private const byte PcmuPayloadType = 0;

    /// <summary>RTP timestamp units of PCMU per microsecond's worth: 8 kHz is 125 us per unit.</summary>
    private const long MicrosPerUnit = 1_000_000 / CallClock.SampleRate;

    /// <summary>A packet this much later than the call's fastest transit missed its turn at the caller's jitter buffer.</summary>
    private const long LateMicros = CallClock.FrameMs * 1000L;

    /// <summary>INVITEs one call sends at most while the bridge answers 503 with Retry-After.</summary>
    private const int MaxInviteAttempts = 4;

    /// <summary>The longest Retry-After a load call waits; a longer one ends the call.</summary>
    private const int MaxRetryAfterS = 10;

    private readonly object _gate = new();
    private readonly byte[] _frame = new byte[CallClock.FrameSamples];
    private readonly byte[] _packet = new byte[RtpPacket.FixedHeaderLength + CallClock.FrameSamples];
    private readonly string _callId = $"load{index:D5}-{SipEndpoint.NewTag()}";
    private readonly string _fromTag = SipEndpoint.NewTag();
    private readonly uint _ssrc = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
    private readonly CancellationTokenSource _stop = new();
    private IDatagramSocket? _rtp;
    private Task? _receive;
    private IPEndPoint? _remoteRtp;
    private string? _to;
    private string? _target;
    private byte[]? _ack;
    private ushort _sequence = (ushort)Random.Shared.Next(ushort.MaxValue);
    private uint _timestamp = (uint)Random.Shared.NextInt64(uint.MaxValue);
    private long _cseq;
    private bool _sentFirst;
    private bool _hungUp;
    private bool _receivedFirst;
    private uint _firstTimestamp;
    private RecentMinimum _fastestTransit;

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        _rtp = network.Bind(new IPEndPoint(sip.Local.Address, 0), RtpPortPool.MaxMediaDatagramBytes);
        _receive = _rtp.ReceiveAsync(OnRtp, _stop.Token);
        sip.Register(_callId, this);
        SipMessage answer;
        try
        {
            answer = await InviteAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            await ReleaseAsync();
            throw;
        }

        lock (_gate)
        {
            _to = answer.Headers.Get(SipHeaderNames.To);
            _target = RemoteTarget(answer) ?? sip.Target.RequestUri;
            _ack = InDialog("ACK", _cseq).ToBytes();
        }

        sip.Send(_ack);
        try
        {
            var remote = RtpDestination(answer.Body);
            lock (_gate)
            {
                _remoteRtp = remote;
            }
        }
        catch (IOException)
        {
            // Answered, so acknowledged; then hung up, since there is nowhere to send RTP.
            await StopAsync(sip.Time);
            throw;
        }
    }

    /// <summary>
    /// The INVITE's 2xx. A 503 with Retry-After (a bridge over its per-source request rate, RFC 3261
    /// 21.5.4) is tried again after that long (up to 10 s), a few times; any other failure ends the call.
    /// </summary>
    private async Task<SipMessage> InviteAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            SipMessage answer;
            try
            {
                answer = await sip.RequestAsync(Invite(), cancellationToken);
            }
            catch (TimeoutException e)
            {
                throw new IOException($"INVITE to {sip.Target.Bridge}: {e.Message}", e);
            }

            if (answer.StatusCode is >= 200 and < 300)
            {
                return answer;
            }

            if (answer.StatusCode != 503 || attempt == MaxInviteAttempts || !int.TryParse(answer.Headers.Get("Retry-After")?.Split(';')[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                throw new IOException($"INVITE to {sip.Target.Bridge} answered {answer.StatusCode} {answer.ReasonPhrase}");
            }

            if (seconds > MaxRetryAfterS)
            {
                throw new IOException($"INVITE to {sip.Target.Bridge} answered 503 {answer.ReasonPhrase} with Retry-After {seconds} s, longer than a load call waits ({MaxRetryAfterS} s)");
            }

            await Task.Delay(TimeSpan.FromSeconds(seconds), sip.Time, cancellationToken);
        }
    }

    /// <summary>One RTP packet of the caller, stamped now; nothing once the bridge has hung up.</summary>
    public void Tick(long nowMicros)
    {
        lock (_gate)
        {
            if (_hungUp || _remoteRtp is null)
            {
                measure.FrameNotSent();
                return;
            }

            turns.NextFrame(_frame, nowMicros);
            HopTag.TryWrite(_frame, nowMicros);
            var length = RtpPacket.Write(_packet, PcmuPayloadType, !_sentFirst, _sequence++, _timestamp, _ssrc, _frame);
            _timestamp += CallClock.FrameSamples;
            _sentFirst = true;
            _rtp!.Send(_packet.AsSpan(0, length), _remoteRtp);
            measure.FrameSent();
        }
    }

    /// <summary>Sends BYE (unless the bridge hung up first) and waits for its answer, at most 5 s.</summary>
    public async Task StopAsync(TimeProvider time)
    {
        bool bye;
        lock (_gate)
        {
            bye = !_hungUp && _ack is not null;
            _hungUp = true;
        }

        if (bye)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5), time);
            try
            {
                await sip.RequestAsync(InDialog("BYE", _cseq + 1), timeout.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or TimeoutException)
            {
                // The bridge ends the call on its own RTP timeout; the load run goes on.
            }
        }

        await ReleaseAsync();
    }

    /// <summary>Leaves the signalling socket's calls and closes the RTP socket.</summary>
    private async Task ReleaseAsync()
    {
        sip.Unregister(_callId);
        _stop.Cancel();
        if (_rtp is { } rtp)
        {
            await rtp.DisposeAsync();
        }

        if (_receive is { } receive)
        {
            try
            {
                await receive;
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
    }

    /// <summary>The bridge retransmitted its 200: our ACK was lost.</summary>
    public void ResendAck()
    {
        if (_ack is { } ack)
        {
            sip.Send(ack);
        }
    }

    /// <summary>The bridge sent BYE: the call is over, no more frames.</summary>
    public void HungUpByBridge()
    {
        lock (_gate)
        {
            _hungUp = true;
        }
    }

    private void OnRtp(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        var now = HopTag.NowMicros();
        if (RtpPacket.TryParse(datagram, out var packet) != RtpParseStatus.Ok)
        {
            measure.BadMessage();
            return;
        }

        if (packet.PayloadType != PcmuPayloadType)
        {
            return;
        }

        lock (_gate)
        {
            if (!_receivedFirst)
            {
                _receivedFirst = true;
                _firstTimestamp = packet.Timestamp;
            }

            var transit = now - ((int)(packet.Timestamp - _firstTimestamp) * MicrosPerUnit);
            var late = transit - _fastestTransit.Record(transit, now) > LateMicros;

            if (packet.Payload.IndexOfAnyExcept(G711.MuLawSilence) < 0)
            {
                return;
            }

            turns.AgentAudio(packet.Payload, now, underrunIsLate: false);
            if (late)
            {
                measure.AgentFramesLate(1);
            }
        }
    }

    private SipMessage Invite()
    {
        var invite = Request("INVITE", sip.Target.RequestUri, $"<{sip.Target.RequestUri}>", ++_cseq);
        var local = sip.Local;
        invite.Headers.Add(SipHeaderNames.Contact, $"<{SipUri.Sip("load", Host(local.Address), local.Port)}>");
        invite.Headers.Add(SipHeaderNames.ContentType, "application/sdp");
        var connection = SdpConnection.For(local.Address.ToString());
        var audio = new SdpMedia("audio", _rtp!.LocalEndPoint.Port, "RTP/AVP") { Ptime = CallClock.FrameMs, Direction = SdpDirection.SendRecv };
        audio.Formats.Add("0");
        audio.RtpMaps.Add(new SdpRtpMap(PcmuPayloadType, "PCMU", CallClock.SampleRate));
        var offer = new SdpSession(new SdpOrigin("load", "1", 1, connection.NetworkType, connection.AddressType, connection.Address)) { Connection = connection };
        offer.Media.Add(audio);
        invite.Body = Encoding.ASCII.GetBytes(offer.ToString());
        return invite;
    }

    /// <summary>A request inside the dialog the 200 set up (RFC 3261 12.2.1.1): to the bridge's Contact, with its To tag.</summary>
    private SipMessage InDialog(string method, long cseq) => Request(method, _target!, _to!, cseq);

    /// <summary>A request of this call with a new branch (an ACK to a 2xx is a transaction of its own, 17.1.1.3).</summary>
    private SipMessage Request(string method, string requestUri, string to, long cseq)
    {
        var local = sip.Local;
        var host = Host(local.Address);
        var request = SipMessage.Request(method, requestUri);
        request.Headers.Add(SipHeaderNames.Via, SipVia.Create("UDP", host, local.Port, SipEndpoint.NewBranch()).ToString());
        request.Headers.Add(SipHeaderNames.MaxForwards, "70");
        request.Headers.Add(SipHeaderNames.From, $"<{SipUri.Sip($"load{index.ToString("D5", CultureInfo.InvariantCulture)}", host)}>;tag={_fromTag}");
        request.Headers.Add(SipHeaderNames.To, to);
        request.Headers.Add(SipHeaderNames.CallId, _callId);
        request.Headers.Add(SipHeaderNames.CSeq, $"{cseq.ToString(CultureInfo.InvariantCulture)} {method}");
        return request;
    }

    /// <summary>
    /// The 2xx's Contact, where in-dialog requests go (RFC 3261 12.1.2); null when it has none or it
    /// does not parse, and the INVITE's Request-URI serves (every request goes to the bridge's address anyway).
    /// </summary>
    private static string? RemoteTarget(SipMessage answer)
    {
        try
        {
            return answer.Contact?.Uri.ToString();
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The bridge's RTP address from its SDP answer: the first audio stream, which must carry PCMU.</summary>
    internal static IPEndPoint RtpDestination(byte[] body)
    {
        if (!SdpSession.TryParse(Encoding.UTF8.GetString(body), out var sdp, out var error))
        {
            throw new IOException($"the 200's SDP answer does not parse: {error}");
        }

        var audio = sdp!.Media.FirstOrDefault(m => m.Media == "audio" && m.Port > 0)
            ?? throw new IOException("the SDP answer accepts no audio stream");
        if (!audio.Formats.Contains("0"))
        {
            throw new IOException($"the SDP answer's audio carries {string.Join(' ', audio.Formats)}, not PCMU (0)");
        }

        var connection = audio.EffectiveConnection(sdp)
            ?? throw new IOException("the SDP answer has no c= line for its audio");
        return IPAddress.TryParse(connection.Address, out var address)
            ? new IPEndPoint(address, audio.Port)
            : throw new IOException($"the SDP answer's c= address '{connection.Address}' is not an IP address");
    }

    private static string Host(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
}
