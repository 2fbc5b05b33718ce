using System.Net;
using VoiceBridge.Legs.Rtp;
using VoiceBridge.Transport;

namespace VoiceBridge.Legs.WebRtc;

/// <summary>
/// A browser call's RTP transport: SRTP and SRTCP (rtcp-mux) on the session's one socket. Outbound packets
/// are protected in place with the DTLS server's keys and sent to the ICE-selected address (nothing is sent
/// without one, or once consent expired: RFC 7675 section 5.1); inbound ones, handed over by the session's
/// receive loop, are authenticated and decrypted with the client's keys before the leg sees them.
/// </summary>
internal sealed class WebRtcRtpTransport : IRtpTransport, IDisposable
{
    private readonly IDatagramSocket _socket;
    private readonly SrtpContext _send;
    private readonly SrtpContext _receive;
    private readonly Func<IPEndPoint?> _destination;
    private readonly byte[] _inbound = new byte[2048];
    private DatagramHandler? _onRtp;
    private DatagramHandler? _onRtcp;
    private long _unprotected;
    private long _rejected;

    /// <param name="destination">Where to send now: the ICE-selected address, or null to send nothing.</param>
    public WebRtcRtpTransport(IDatagramSocket socket, DtlsSrtpKeys keys, Func<IPEndPoint?> destination)
    {
        _socket = socket;
        _send = keys.ServerSend();
        _receive = keys.ClientReceive();
        _destination = destination;
    }

    public int LocalPort => _socket.LocalEndPoint.Port;

    public long OversizeDatagrams => _socket.OversizeDatagrams;

    /// <summary>SRTP and SRTCP packets that authenticated.</summary>
    public long Unprotected => Interlocked.Read(ref _unprotected);

    /// <summary>SRTP and SRTCP packets dropped: bad tag, replay, too old, malformed, too long.</summary>
    public long RejectedPackets => Interlocked.Read(ref _rejected);

    public void SendRtp(Span<byte> buffer, int length, IPEndPoint to)
    {
        if (_destination() is { } selected)
        {
            int protectedLength = _send.ProtectRtp(buffer, length);
            _socket.Send(buffer[..protectedLength], selected);
        }
    }

    public void SendRtcp(Span<byte> buffer, int length, IPEndPoint to)
    {
        if (_destination() is { } selected)
        {
            int protectedLength = _send.ProtectRtcp(buffer, length);
            _socket.Send(buffer[..protectedLength], selected);
        }
    }

    public async Task ReceiveAsync(DatagramHandler onRtp, DatagramHandler onRtcp, CancellationToken cancellationToken)
    {
        _onRtp = onRtp;
        _onRtcp = onRtcp;
        var stopped = new TaskCompletionSource();
        await using (cancellationToken.Register(() => stopped.TrySetResult()))
        {
            await stopped.Task;
        }

        _onRtp = null;
        _onRtcp = null;
    }

    /// <summary>One SRTP or SRTCP datagram from the session's receive loop (one at a time).</summary>
    public void OnSrtp(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        if (datagram.Length > _inbound.Length)
        {
            Interlocked.Increment(ref _rejected);
            return;
        }

        datagram.CopyTo(_inbound);
        bool rtcp = RtpDemux.IsRtcp(datagram);
        int plainLength = datagram.Length;
        SrtpStatus status = rtcp
            ? _receive.UnprotectRtcp(_inbound, datagram.Length, out plainLength)
            : _receive.UnprotectRtp(_inbound, datagram.Length, out plainLength);
        if (status != SrtpStatus.Ok)
        {
            Interlocked.Increment(ref _rejected);
            return;
        }

        Interlocked.Increment(ref _unprotected);
        (rtcp ? _onRtcp : _onRtp)?.Invoke(_inbound.AsSpan(0, plainLength), from);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Frees the SRTP contexts; the session calls it once the leg and the receive loop have stopped.</summary>
    public void Dispose()
    {
        _send.Dispose();
        _receive.Dispose();
    }
}
