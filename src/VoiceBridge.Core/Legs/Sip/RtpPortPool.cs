using System.Net;
using System.Net.Sockets;
using VoiceBridge.Transport;

namespace VoiceBridge.Legs.Sip;

/// <summary>
/// Hands out RTP/RTCP socket pairs (an even port and the odd one above it, RFC 3550 11) from the
/// configured range, round-robin so that a port just released is not reused at once (late packets
/// of the old call would land in the new one). A port some other process holds is skipped.
/// </summary>
public sealed class RtpPortPool(IDatagramNetwork network, IPAddress address, int min, int max)
{
    /// <summary>
    /// The longest RTP or RTCP datagram a call's sockets take: an audio packet (PCMU's is 172 bytes,
    /// Opus's at most 1,275 of payload) with header extensions and an SRTP tag fits an Ethernet MTU.
    /// Each socket keeps a receive buffer this size for the call's life (64 KB each, before, was most
    /// of a call's memory); a longer datagram is dropped and counted among the call's bad packets.
    /// </summary>
    public const int MaxMediaDatagramBytes = 2048;

    private readonly object _gate = new();
    private readonly HashSet<int> _inUse = [];
    private int _next = min + (min & 1);

    /// <summary>Binds an RTP socket and its RTCP socket; throws <see cref="InvalidOperationException"/> when the range is exhausted.</summary>
    public (IDatagramSocket Rtp, IDatagramSocket Rtcp) Take()
    {
        lock (_gate)
        {
            var first = min + (min & 1);
            var pairs = Math.Max(1, (max - first + 1) / 2);
            for (var tried = 0; tried < pairs; tried++)
            {
                var port = _next;
                _next = _next + 2 > max - 1 ? first : _next + 2;
                if (_inUse.Contains(port) || TryBind(port) is not { } pair)
                {
                    continue;
                }

                _inUse.Add(port);
                return pair;
            }
        }

        throw new InvalidOperationException($"no free RTP port pair in {min}-{max}");
    }

    public void Release(int rtpPort)
    {
        lock (_gate)
        {
            _inUse.Remove(rtpPort);
        }
    }

    private (IDatagramSocket, IDatagramSocket)? TryBind(int port)
    {
        IDatagramSocket? rtp = null;
        try
        {
            rtp = network.Bind(new IPEndPoint(address, port), MaxMediaDatagramBytes);
            return (rtp, network.Bind(new IPEndPoint(address, port + 1), MaxMediaDatagramBytes));
        }
        catch (SocketException)
        {
            rtp?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return null;
        }
    }
}
