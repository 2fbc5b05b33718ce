using System.Net;
using System.Security.Cryptography;
using System.Text;
using VoiceBridge.Legs.Sip;
using VoiceBridge.Legs.Sip.Sdp;
using VoiceBridge.Transport;

namespace VoiceBridge.Replay;

/// <summary>
/// A recorded caller on a SIP phone: INVITEs the bridge with a G.711 offer, ACKs its 200, streams
/// the recording as RTP (with the configured impairments), hears the agent through a jitter buffer
/// of its own, and hangs up with a BYE. What it observed of the bridge's RTP (SSRCs, sequence and
/// timestamp continuity) is in the result, to check the outbound stream across handoffs.
/// </summary>
public sealed partial class FakeSipCaller : FakeCaller
{
    private static readonly TimeSpan SignallingTimeout = TimeSpan.FromSeconds(10);

    private readonly RtpImpairments _impairments;
    private readonly string _tag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
    private readonly Dictionary<string, TaskCompletionSource<SipMessage>> _pending = new(StringComparer.Ordinal);
    private IDatagramSocket? _sip;
    private IPEndPoint? _bridge;
    private long _cseq;

    public FakeSipCaller(short[] recording8k, FakeCallerOptions options, RtpImpairments impairments, TimeProvider time)
        : base(recording8k, options, time)
    {
        _impairments = impairments;
        _random = new Random(impairments.Seed);
    }

    /// <summary>Places the call to <paramref name="bridge"/>, plays the recording, hangs up; the call id is the options' CallSid.</summary>
    public async Task<FakeCallerResult> RunAsync(IDatagramNetwork network, IPEndPoint bridge, CancellationToken cancellationToken)
    {
        var local = new IPEndPoint(bridge.Address, 0);
        await using var sip = network.Bind(local);
        await using var rtp = network.Bind(local);
        _sip = sip;
        _rtp = rtp;
        _bridge = bridge;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var receiveSip = sip.ReceiveAsync(OnSip, stop.Token);
        var receiveRtp = rtp.ReceiveAsync(OnRtp, stop.Token);
        var endedIdle = false;
        try
        {
            var ok = await InviteAsync(cancellationToken);
            if (ok is not null)
            {
                endedIdle = await StreamAsync(cancellationToken);
                if (!_endedByBridge)
                {
                    await RequestAsync(InDialog("BYE", ok), cancellationToken);
                }
            }
        }
        finally
        {
            stop.Cancel();
            await receiveSip;
            await receiveRtp;
        }

        return Result(endedIdle, _packetsReceived, _oddPayloads, r => r with
        {
            Rtp = Observed(),
            TransferredTo = _referredTo?.Trim('<', '>'),
        });
    }

    /// <summary>INVITE with a PCMU/PCMA/telephone-event offer; on 200 the ACK and the media target. Null (and an error) when refused.</summary>
    private async Task<SipMessage?> InviteAsync(CancellationToken cancellationToken)
    {
        var offer = new StringBuilder()
            .Append("v=0\r\n")
            .Append($"o=caller 1 1 IN IP4 {_rtp!.LocalEndPoint.Address}\r\n")
            .Append("s=replay\r\n")
            .Append($"c=IN IP4 {_rtp.LocalEndPoint.Address}\r\n")
            .Append("t=0 0\r\n")
            .Append($"m=audio {_rtp.LocalEndPoint.Port} RTP/AVP 0 8 101\r\n")
            .Append("a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n")
            .Append($"a=ptime:{_impairments.PacketMs}\r\na=sendrecv\r\n")
            .ToString();
        var invite = NewRequest("INVITE", $"sip:agent@{_bridge}");
        invite.Headers.Add("Contact", $"<sip:caller@{_sip!.LocalEndPoint}>");
        invite.Headers.Add("Content-Type", "application/sdp");
        invite.Body = Encoding.UTF8.GetBytes(offer);
        var response = await RequestAsync(invite, cancellationToken);
        if (response.StatusCode != 200)
        {
            AddError($"the bridge answered the INVITE with {response.StatusCode} {response.ReasonPhrase}");
            return null;
        }

        if (!SdpSession.TryParse(Encoding.UTF8.GetString(response.Body), out var answer, out var error))
        {
            AddError($"the bridge's SDP answer is malformed: {error}");
            return null;
        }

        var media = answer!.Media.FirstOrDefault(m => m.Port != 0);
        var address = media?.Connection?.Address ?? answer.Connection?.Address;
        if (media is null || address is null || !IPAddress.TryParse(address, out var ip))
        {
            AddError("the bridge's SDP answer has no usable audio stream");
            return null;
        }

        _agentRtp = new IPEndPoint(ip, media.Port);
        _payloadType = (byte)int.Parse(media.Formats[0], System.Globalization.CultureInfo.InvariantCulture);
        _telephoneEvent = TelephoneEventType(Encoding.UTF8.GetString(response.Body));
        var ack = InDialog("ACK", response, invite.CSeq.Number);
        _sip.Send(ack.ToBytes(), _bridge!);
        return response;
    }

    private async Task<bool> StreamAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Media.CallClock.FrameMs), Time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            if (_endedByBridge || _referredTo is not null)
            {
                // The bridge hung up, or moved the call (a phone then calls the target and leaves).
                return false;
            }

            if (Tick() is { } finished)
            {
                return finished;
            }
        }

        return false;
    }

    /// <summary>The payload type the answer gave telephone-event (<c>a=rtpmap:N telephone-event/8000</c>), if any.</summary>
    private static byte? TelephoneEventType(string sdp)
    {
        foreach (var line in sdp.Split('\n'))
        {
            var text = line.Trim();
            if (text.StartsWith("a=rtpmap:", StringComparison.Ordinal) && text.Contains(" telephone-event/8000", StringComparison.OrdinalIgnoreCase)
                && byte.TryParse(text.AsSpan(9, text.IndexOf(' ', StringComparison.Ordinal) - 9), out var type))
            {
                return type;
            }
        }

        return null;
    }

    private SipMessage NewRequest(string method, string uri)
    {
        var request = SipMessage.Request(method, uri);
        request.Headers.Add("Via", $"SIP/2.0/UDP {_sip!.LocalEndPoint};branch=z9hG4bK{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))};rport");
        request.Headers.Add("Max-Forwards", "70");
        request.Headers.Add("From", $"<sip:caller@{_sip.LocalEndPoint}>;tag={_tag}");
        request.Headers.Add("To", $"<sip:agent@{_bridge}>");
        request.Headers.Add("Call-ID", Options.CallSid);
        request.Headers.Add("CSeq", $"{++_cseq} {method}");
        return request;
    }

    /// <summary>A request in the dialog the 200 made: to its Contact, with its To tag (ACK reuses the INVITE's CSeq number).</summary>
    private SipMessage InDialog(string method, SipMessage ok, long? cseq = null)
    {
        var request = NewRequest(method, ok.Contact?.Uri.ToString() ?? $"sip:agent@{_bridge}");
        request.Headers.Set("To", ok.To.ToString());
        if (cseq is { } number)
        {
            _cseq--;
            request.Headers.Set("CSeq", $"{number} {method}");
        }

        return request;
    }

    /// <summary>
    /// Sends a request, retransmitting (T1 doubling to T2) until a final response; throws on timeout.
    /// The response is looked for every 5 ms of the clock rather than awaited: a completion source
    /// hops through the thread pool, and on a fake clock virtual time would run on meanwhile.
    /// </summary>
    private async Task<SipMessage> RequestAsync(SipMessage request, CancellationToken cancellationToken)
    {
        var final = new TaskCompletionSource<SipMessage>();
        var branch = request.TopVia.Branch!;
        lock (_pending)
        {
            _pending[branch] = final;
        }

        var bytes = request.ToBytes();
        var start = Time.GetTimestamp();
        var interval = TimeSpan.FromMilliseconds(500);
        var next = TimeSpan.Zero;
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(5), Time);
        while (!final.Task.IsCompleted)
        {
            var elapsed = Time.GetElapsedTime(start);
            if (elapsed >= SignallingTimeout)
            {
                throw new TimeoutException($"no final response to {request.Method} within {SignallingTimeout.TotalSeconds:0} s");
            }

            if (elapsed >= next)
            {
                _sip!.Send(bytes, _bridge!);
                next = elapsed + interval;
                interval = interval * 2 > TimeSpan.FromSeconds(4) ? TimeSpan.FromSeconds(4) : interval * 2;
            }

            await poll.WaitForNextTickAsync(cancellationToken);
        }

        return await final.Task;
    }

    private void OnSip(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        var parsed = SipParser.Parse(datagram);
        if (parsed.Message is not { } message)
        {
            if (parsed.Error is not null)
            {
                AddError($"malformed SIP from the bridge: {parsed.Error}");
            }

            return;
        }

        if (message.IsRequest)
        {
            // The bridge's BYE (hang-up) or REFER (transfer): answered, and the call's media ends.
            if (message.Method != "ACK")
            {
                var response = message.CreateResponse(message.Method == "REFER" ? 202 : 200, message.Method == "REFER" ? "Accepted" : "OK");
                _sip!.Send(response.ToBytes(), from);
                OnBridgeRequest(message);
            }

            return;
        }

        if (message.StatusCode < 200 || message.Vias.Count == 0 || message.TopVia.Branch is not { } branch)
        {
            return;
        }

        lock (_pending)
        {
            if (_pending.Remove(branch, out var waiter))
            {
                waiter.TrySetResult(message);
            }
        }
    }
}
