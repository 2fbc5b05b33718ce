using System.Net;
using System.Text;
using VoiceBridge.Legs.Rtp;
using VoiceBridge.Media;
using VoiceBridge.Legs.Sip;
using VoiceBridge.Transport;

namespace VoiceBridge.Tests.Legs.Sip;

/// <summary>
/// A hand-driven SIP phone for endpoint tests: sends raw requests from its own socket and keeps
/// every SIP message and RTP packet the bridge sends it, on the in-memory network's clock.
/// </summary>
internal sealed class SipTestPhone : IAsyncDisposable
{
    private readonly IDatagramSocket _sip;
    private readonly IDatagramSocket _rtp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiveSip;
    private readonly Task _receiveRtp;
    private readonly List<SipMessage> _messages = [];

    public SipTestPhone(IDatagramNetwork network, IPEndPoint bridge)
    {
        Bridge = bridge;
        _sip = network.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _rtp = network.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _receiveSip = _sip.ReceiveAsync(OnSip, _stop.Token);
        _receiveRtp = _rtp.ReceiveAsync(OnRtp, _stop.Token);
    }

    public IPEndPoint Bridge { get; }

    public IPEndPoint Local => _sip.LocalEndPoint;

    public int RtpPort => _rtp.LocalEndPoint.Port;

    public IReadOnlyList<SipMessage> Messages => _messages;

    /// <summary>What the bridge sent that did not parse (a test asserts this stays empty).</summary>
    public List<string> Malformed { get; } = [];

    /// <summary>RTP the bridge sent: <c>Silent</c> when the payload is all mu-law silence.</summary>
    public List<(ushort Sequence, uint Timestamp, uint Ssrc, byte PayloadType, bool Silent)> RtpPackets { get; } = [];

    /// <summary>Sends <paramref name="text"/> with LF turned into CRLF, and BRANCH/CALLID/TAG/SIPPORT/RTPPORT filled in.</summary>
    public void Send(string text, string branch = "z9hG4bKtest1", string callId = "call-1@test", IPEndPoint? to = null)
    {
        var filled = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal)
            .Replace("BRANCH", branch, StringComparison.Ordinal)
            .Replace("CALLID", callId, StringComparison.Ordinal)
            .Replace("SIPPORT", Local.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("RTPPORT", RtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var body = filled.Split("\r\n\r\n", 2);
        if (body.Length == 2 && filled.Contains("Content-Length: AUTO", StringComparison.Ordinal))
        {
            filled = filled.Replace("Content-Length: AUTO", $"Content-Length: {Encoding.UTF8.GetByteCount(body[1])}", StringComparison.Ordinal);
        }

        _sip.Send(Encoding.UTF8.GetBytes(filled), to ?? Bridge);
    }

    /// <summary>Sends raw bytes (a broken packet) to <paramref name="to"/> from the RTP socket.</summary>
    public void SendRaw(IPEndPoint to, byte[] datagram) => _rtp.Send(datagram, to);

    /// <summary>Sends one RTP packet of <paramref name="audio"/> (160 mu-law bytes), or of silence, to <paramref name="to"/>.</summary>
    public void SendRtp(IPEndPoint to, ushort sequence, uint timestamp, byte payloadType = 0, uint ssrc = 0x1234, byte[]? audio = null)
    {
        var packet = new byte[172];
        var payload = audio ?? new byte[160];
        if (audio is null)
        {
            payload.AsSpan().Fill(0xFF);
        }

        var n = RtpPacket.Write(packet, payloadType, sequence == 0, sequence, timestamp, ssrc, payload);
        _rtp.Send(packet.AsSpan(0, n), to);
    }

    /// <summary>Waits until a message matching <paramref name="match"/> has arrived (looked for on the clock, <see cref="ClockWait"/>); returns it.</summary>
    public async Task<SipMessage> ExpectAsync(Func<SipMessage, bool> match, TimeProvider time, TimeSpan within, string what)
    {
        SipMessage? found = null;
        bool Arrived()
        {
            lock (_messages)
            {
                found = _messages.FirstOrDefault(match);
                return found is not null;
            }
        }

        if (!await time.UntilAsync(Arrived, TimeSpan.FromMilliseconds(5), within))
        {
            lock (_messages)
            {
                throw new Xunit.Sdk.XunitException($"no {what} within {within.TotalSeconds} s; got: {string.Join(" | ", _messages.Select(Describe))}");
            }
        }

        return found!;
    }

    /// <summary>Waits for <paramref name="task"/> on the clock (see <see cref="ExpectAsync"/>).</summary>
    public static async Task<T> WhenDoneAsync<T>(Task<T> task, TimeProvider time, TimeSpan within) =>
        await time.UntilAsync(() => task.IsCompleted, TimeSpan.FromMilliseconds(5), within)
            ? await task
            : throw new Xunit.Sdk.XunitException($"not done within {within.TotalSeconds} s");

    public Task<SipMessage> ExpectStatusAsync(int status, string method, TimeProvider time, TimeSpan? within = null) =>
        ExpectAsync(m => !m.IsRequest && m.StatusCode == status && m.CSeq.Method == method, time, within ?? TimeSpan.FromSeconds(2), $"{status} to {method}");

    public int Count(Func<SipMessage, bool> match)
    {
        lock (_messages)
        {
            return _messages.Count(match);
        }
    }

    public static string Describe(SipMessage m) => m.IsRequest ? m.Method : $"{m.StatusCode} {m.ReasonPhrase} ({m.CSeq.Method})";

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _sip.DisposeAsync();
        await _rtp.DisposeAsync();
        await _receiveSip;
        await _receiveRtp;
    }

    private void OnSip(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        var parsed = SipParser.Parse(datagram);
        if (parsed.Message is not { } message)
        {
            lock (_messages)
            {
                Malformed.Add(parsed.Error ?? "keep-alive");
            }

            return;
        }

        lock (_messages)
        {
            _messages.Add(message);
        }
    }

    private void OnRtp(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        if (RtpPacket.TryParse(datagram, out var packet) == RtpParseStatus.Ok)
        {
            lock (RtpPackets)
            {
                RtpPackets.Add((packet.SequenceNumber, packet.Timestamp, packet.Ssrc, packet.PayloadType, !packet.Payload.ContainsAnyExcept(G711.MuLawSilence)));
            }
        }
    }
}
