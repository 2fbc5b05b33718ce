using System.Net;

namespace VoiceBridge.Transport;

/// <summary>Handles one received datagram; the span is valid only during the call.</summary>
public delegate void DatagramHandler(ReadOnlySpan<byte> datagram, IPEndPoint from);

/// <summary>
/// A bound UDP endpoint (SIP signalling, one call's RTP). Real sockets on system time
/// (<see cref="UdpDatagramNetwork"/>) or an in-memory network on a fake clock
/// (<see cref="InMemoryDatagramNetwork"/>): the SIP and RTP code above it is the same.
/// </summary>
public interface IDatagramSocket : IAsyncDisposable
{
    /// <summary>Where the socket is bound (the port is the real one when 0 was asked for).</summary>
    IPEndPoint LocalEndPoint { get; }

    /// <summary>Datagrams that could not be sent (no route, peer unreachable); UDP gives no other signal.</summary>
    long SendErrors { get; }

    /// <summary>Datagrams received longer than the socket's limit (see <see cref="IDatagramNetwork.Bind"/>), dropped unread.</summary>
    long OversizeDatagrams { get; }

    /// <summary>Sends one datagram; never throws for network errors (they are counted).</summary>
    void Send(ReadOnlySpan<byte> datagram, IPEndPoint to);

    /// <summary>Receives until disposed or cancelled, calling <paramref name="onDatagram"/> for each datagram in order.</summary>
    Task ReceiveAsync(DatagramHandler onDatagram, CancellationToken cancellationToken);
}

/// <summary>Where UDP sockets come from.</summary>
public interface IDatagramNetwork
{
    /// <summary>The largest UDP payload there is.</summary>
    public const int MaxDatagramBytes = 65535;

    /// <summary>
    /// Binds a socket; port 0 picks a free one. It receives datagrams of up to
    /// <paramref name="maxDatagramBytes"/> (its receive buffer's size: one per socket, for its whole
    /// life); longer ones are dropped and counted. Throws <see cref="System.Net.Sockets.SocketException"/>
    /// when the port is taken.
    /// </summary>
    IDatagramSocket Bind(IPEndPoint endpoint, int maxDatagramBytes = MaxDatagramBytes);
}
