using System.Net;
using VoiceBridge.Legs.Rtp;
using VoiceBridge.Transport;

namespace VoiceBridge.Legs.Sip;

/// <summary>A SIP call's RTP transport: plain RTP on one UDP socket and RTCP on the next port's (RFC 3550 section 11).</summary>
internal sealed class SipRtpTransport(IDatagramSocket rtp, IDatagramSocket rtcp) : IRtpTransport
{
    public int LocalPort => rtp.LocalEndPoint.Port;

    public long OversizeDatagrams => rtp.OversizeDatagrams + rtcp.OversizeDatagrams;

    public void SendRtp(Span<byte> buffer, int length, IPEndPoint to) => rtp.Send(buffer[..length], to);

    public void SendRtcp(Span<byte> buffer, int length, IPEndPoint to) => rtcp.Send(buffer[..length], to);

    public Task ReceiveAsync(DatagramHandler onRtp, DatagramHandler onRtcp, CancellationToken cancellationToken) =>
        Task.WhenAll(rtp.ReceiveAsync(onRtp, cancellationToken), rtcp.ReceiveAsync(onRtcp, cancellationToken));

    public async ValueTask DisposeAsync()
    {
        await rtp.DisposeAsync();
        await rtcp.DisposeAsync();
    }
}
