using System.Net;
using VoiceBridge.Transport;

namespace VoiceBridge.Legs.Rtp;

/// <summary>
/// What an <see cref="RtpCallLeg"/> sends and receives through: plain RTP and RTCP packets both ways.
/// A SIP call's transport is two UDP sockets (RTP and RTCP on the next port); a browser's is one socket
/// shared with ICE and DTLS, where the transport protects outbound packets (SRTP) and hands the leg
/// only packets it has authenticated and decrypted. The leg never sees the difference.
/// </summary>
public interface IRtpTransport : IAsyncDisposable
{
    /// <summary>
    /// Bytes the leg leaves free after every outbound packet, so a transport can protect it in place
    /// (SRTP appends a 10-byte tag, SRTCP 14 bytes).
    /// </summary>
    const int SendReserve = 64;

    /// <summary>The local RTP port (the SDP answer's).</summary>
    int LocalPort { get; }

    /// <summary>Datagrams too long for the transport's sockets, dropped unread (counted among the leg's bad packets).</summary>
    long OversizeDatagrams { get; }

    /// <summary>
    /// Sends the RTP packet in <paramref name="buffer"/>[..<paramref name="length"/>], which has at least
    /// <see cref="SendReserve"/> spare bytes after it and may be changed in place. <paramref name="to"/> is
    /// where the leg believes the peer is (symmetric RTP); a transport that selects its own path (ICE) sends
    /// there instead. Never throws for network errors.
    /// </summary>
    void SendRtp(Span<byte> buffer, int length, IPEndPoint to);

    /// <summary>Sends one RTCP compound packet, with the same rules as <see cref="SendRtp"/>.</summary>
    void SendRtcp(Span<byte> buffer, int length, IPEndPoint to);

    /// <summary>
    /// Delivers plain inbound RTP to <paramref name="onRtp"/> and RTCP to <paramref name="onRtcp"/>, with the
    /// address each came from, until <paramref name="cancellationToken"/> is cancelled or the transport is disposed.
    /// </summary>
    Task ReceiveAsync(DatagramHandler onRtp, DatagramHandler onRtcp, CancellationToken cancellationToken);
}
