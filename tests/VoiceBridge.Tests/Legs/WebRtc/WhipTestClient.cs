using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Org.BouncyCastle.Tls;
using VoiceBridge.Legs.Rtp;
using VoiceBridge.Legs.WebRtc;

namespace VoiceBridge.Tests.Legs.WebRtc;

/// <summary>
/// A browser stand-in built from the leg's own parts and BouncyCastle's DTLS client: it writes an offer
/// (Chromium's, with its own ICE credentials and certificate fingerprint), nominates the answer's candidate
/// with STUN checks (USE-CANDIDATE, repeated as consent checks), runs the DTLS-SRTP handshake as the active
/// side, then sends RTP protected with the client keys and unprotects what the bridge sends back.
/// </summary>
internal sealed partial class WhipTestClient : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly DtlsCertificate _certificate = DtlsCertificate.CreateSelfSigned(TimeProvider.System);
    private readonly (string Ufrag, string Password) _ice = IceLiteAgent.NewCredentials();
    private readonly DtlsDatagramQueue _dtls;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private readonly List<byte[]> _payloads = [];
    private readonly HashSet<uint> _ssrcs = [];
    private readonly Thread _receiver;
    private SrtpContext? _send;
    private SrtpContext? _receive;
    private IPEndPoint? _server;
    private string _serverUfrag = "";
    private byte[] _serverKey = [];
    private ushort _sequence = 1000;
    private uint _timestamp = 5000;

    public WhipTestClient()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _dtls = new DtlsDatagramQueue(bytes => _socket.SendTo(bytes, _server!));
        _receiver = new Thread(Receive) { IsBackground = true, Name = "whip-test-client" };
    }

    /// <summary>STUN success responses received.</summary>
    public int StunSuccesses { get; private set; }

    /// <summary>SRTP packets from the bridge that authenticated.</summary>
    public int PacketsReceived { get; private set; }

    /// <summary>SRTP or SRTCP packets from the bridge that failed to authenticate.</summary>
    public int PacketsRejected { get; private set; }

    /// <summary>The distinct SSRCs of the bridge's RTP.</summary>
    public IReadOnlyCollection<uint> Ssrcs
    {
        get
        {
            lock (_gate)
            {
                return [.. _ssrcs];
            }
        }
    }

    /// <summary>Chromium's real offer with this client's credentials, fingerprint and one host candidate.</summary>
    public string Offer() => WebRtcTestOffers.Chromium
        .ReplaceLine("a=ice-ufrag:", $"a=ice-ufrag:{_ice.Ufrag}")
        .ReplaceLine("a=ice-pwd:", $"a=ice-pwd:{_ice.Password}")
        .ReplaceLine("a=fingerprint:", $"a=fingerprint:sha-256 {_certificate.Sha256Fingerprint}");

    /// <summary>Reads the answer's ICE credentials and candidate, then nominates it and completes DTLS; returns the negotiated payload type.</summary>
    public async Task<int> ConnectAsync(string answer, CancellationToken ct)
    {
        _serverUfrag = Match(answer, @"a=ice-ufrag:(\S+)");
        _serverKey = Encoding.ASCII.GetBytes(Match(answer, @"a=ice-pwd:(\S+)"));
        Match candidate = CandidateRegex().Match(answer);
        Assert.True(candidate.Success, "the answer has no host candidate");
        _server = new IPEndPoint(IPAddress.Parse(candidate.Groups[1].Value), int.Parse(candidate.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        int payloadType = int.Parse(Match(answer, @"m=audio \d+ \S+ (\d+)"), System.Globalization.CultureInfo.InvariantCulture);
        _receiver.Start();
        SendCheck(nominate: true);
        var client = new DtlsTestClient(_certificate, [SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80]);
        DtlsTransport transport = await client.ConnectAsync(_dtls).WaitAsync(ct);
        _ = transport;
        DtlsSrtpKeys keys = DtlsSrtpKeys.FromKeyingMaterial(client.KeyingMaterial);
        _send = keys.ClientSend();
        _receive = keys.ServerReceive();
        return payloadType;
    }

    /// <summary>A Binding request as a controlling full agent sends it: USERNAME, ICE-CONTROLLING, PRIORITY, USE-CANDIDATE when nominating.</summary>
    public void SendCheck(bool nominate)
    {
        Span<byte> buffer = stackalloc byte[256];
        var builder = new StunBuilder(buffer, Stun.BindingMethod, RandomNumberGenerator.GetBytes(Stun.TransactionIdLength));
        builder.AddText(Stun.Username, $"{_serverUfrag}:{_ice.Ufrag}");
        builder.AddUInt64(Stun.IceControlling, 0x1234_5678_9abc_def0);
        builder.AddUInt32(Stun.Priority, 1_845_501_695);
        if (nominate)
        {
            builder.Add(Stun.UseCandidate, []);
        }

        builder.AddMessageIntegrity(_serverKey);
        builder.AddFingerprint();
        _socket.SendTo(buffer[..builder.Length], SocketFlags.None, _server!);
    }

    /// <summary>One 20 ms RTP packet with <paramref name="payload"/>, protected with the client's keys.</summary>
    public void SendRtp(int payloadType, ReadOnlySpan<byte> payload, int timestampUnits)
    {
        var packet = new byte[12 + payload.Length + SrtpContext.TagLength];
        int length = RtpPacket.Write(packet, (byte)payloadType, _sequence == 1000, _sequence, _timestamp, 0x0BADCAFE, payload);
        _sequence++;
        _timestamp += (uint)timestampUnits;
        length = _send!.ProtectRtp(packet, length);
        _socket.SendTo(packet.AsSpan(0, length), SocketFlags.None, _server!);
    }

    /// <summary>The payloads heard from the bridge, in arrival order.</summary>
    public List<byte[]> TakeHeard()
    {
        lock (_gate)
        {
            var result = _payloads.ToList();
            _payloads.Clear();
            return result;
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _dtls.Close();
        _send?.Dispose();
        _receive?.Dispose();
    }

    private void Receive()
    {
        var buffer = new byte[2048];
        while (!_stop.IsCancellationRequested)
        {
            int length;
            try
            {
                length = _socket.Receive(buffer);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            switch (PacketDemux.Classify(buffer.AsSpan(0, length)))
            {
                case PacketKind.Stun when length > 1 && buffer[0] == 0x01 && buffer[1] == 0x01:
                    StunSuccesses++;
                    break;
                case PacketKind.Dtls:
                    _dtls.Enqueue(buffer.AsSpan(0, length));
                    break;
                case PacketKind.Rtp when _receive is { } receive:
                    OnSrtp(receive, buffer, length);
                    break;
            }
        }
    }

    private void OnSrtp(SrtpContext receive, byte[] buffer, int length)
    {
        if (RtpDemux.IsRtcp(buffer.AsSpan(0, length)))
        {
            if (receive.UnprotectRtcp(buffer, length, out _) != SrtpStatus.Ok)
            {
                PacketsRejected++;
            }

            return;
        }

        if (receive.UnprotectRtp(buffer, length, out int plain) != SrtpStatus.Ok || RtpPacket.TryParse(buffer.AsSpan(0, plain), out RtpPacket packet) != RtpParseStatus.Ok)
        {
            PacketsRejected++;
            return;
        }

        PacketsReceived++;
        lock (_gate)
        {
            _ssrcs.Add(packet.Ssrc);
            _payloads.Add(packet.Payload.ToArray());
        }
    }

    private static string Match(string text, string pattern)
    {
        Match m = Regex.Match(text, pattern);
        Assert.True(m.Success, $"the answer has no {pattern}");
        return m.Groups[1].Value;
    }

    [GeneratedRegex(@"a=candidate:\S+ 1 udp \d+ (\S+) (\d+) typ host")]
    private static partial Regex CandidateRegex();
}
